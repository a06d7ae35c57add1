package main

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
)

// ConfigError is one error of a configuration: where it is (file, line,
// column, field path such as "sites[1].locations[0].upstreams[0]") and
// what is wrong:
//
//	gateway.json:14:9: sites[1].locations[0].upstreams[0]: "htp://x": scheme must be http or https
type ConfigError struct {
	File string // the file name, or "" for a configuration made from flags
	Line int    // 1-based; 0 when unknown
	Col  int    // 1-based, in bytes; 0 when unknown
	Path string // the field path, or a flag name ("-proxy")
	Msg  string
}

func (e *ConfigError) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			fmt.Fprintf(&b, ":%d:%d", e.Line, e.Col)
		}
		b.WriteString(": ")
	}
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// ConfigErrors are all the errors found in a configuration, by position.
type ConfigErrors []*ConfigError

func (es ConfigErrors) Error() string {
	s := make([]string, len(es))
	for i, e := range es {
		s[i] = e.Error()
	}
	return strings.Join(s, "\n")
}

// maxConfigErrors bounds the errors reported for one file.
const maxConfigErrors = 20

// positions maps the field paths of a decoded configuration to their
// offsets in its file, to place the errors found after decoding.
type positions struct {
	file  string
	data  []byte
	offs  map[string]int    // field path -> offset of its value
	alias map[string]string // field path -> flag name, for flag configurations
	errs  ConfigErrors
}

func newPositions(file string, data []byte) *positions {
	return &positions{file: file, data: data, offs: map[string]int{}}
}

// lineCol returns the 1-based line and column of offset off, or 0, 0.
func (p *positions) lineCol(off int) (int, int) {
	if off < 0 || p.data == nil {
		return 0, 0
	}
	off = min(off, len(p.data))
	line := bytes.Count(p.data[:off], []byte{'\n'}) + 1
	col := off - (bytes.LastIndexByte(p.data[:off], '\n') + 1) + 1
	return line, col
}

// errAt records an error at offset off for the field path.
func (p *positions) errAt(off int, path, format string, args ...any) {
	line, col := p.lineCol(off)
	p.errs = append(p.errs, &ConfigError{File: p.file, Line: line, Col: col, Path: path, Msg: fmt.Sprintf(format, args...)})
}

// errorf records an error for the field path, at the position of the
// path's value (or of its nearest parent with a known position).
func (p *positions) errorf(path, format string, args ...any) {
	for q := path; ; {
		if a, ok := p.alias[q]; ok {
			p.errs = append(p.errs, &ConfigError{Path: a, Msg: fmt.Sprintf(format, args...)})
			return
		}
		if off, ok := p.offs[q]; ok {
			p.errAt(off, path, format, args...)
			return
		}
		i := strings.LastIndexAny(q, ".[")
		if i <= 0 {
			break
		}
		q = q[:i]
	}
	p.errAt(-1, path, format, args...)
}

// err returns the recorded errors sorted by position, or nil.
func (p *positions) err() error {
	if len(p.errs) == 0 {
		return nil
	}
	sort.SliceStable(p.errs, func(i, j int) bool {
		a, b := p.errs[i], p.errs[j]
		return a.Line < b.Line || a.Line == b.Line && a.Col < b.Col
	})
	if len(p.errs) > maxConfigErrors {
		p.errs = p.errs[:maxConfigErrors]
	}
	return p.errs
}
