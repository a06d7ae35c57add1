package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// The configuration is decoded in two steps, so that every error names
// its line, column and field path: the JSON text is parsed into a tree of
// nodes that remember their offsets (parseJSON), then the tree is bound
// to the Config struct by reflection, driven by the struct tags (bind).
// encoding/json alone reports neither the line of a wrong type nor every
// error at once.

// nodeKind is the kind of a JSON value.
type nodeKind uint8

const (
	nodeNull nodeKind = iota
	nodeBool
	nodeNumber
	nodeString
	nodeArray
	nodeObject
)

var nodeKindNames = [...]string{"null", "true or false", "a number", "a string", "a list", "an object"}

// node is one parsed JSON value and its offset in the file.
type node struct {
	kind   nodeKind
	off    int
	str    string      // nodeString
	num    json.Number // nodeNumber
	b      bool        // nodeBool
	elems  []*node     // nodeArray
	fields []member    // nodeObject, in file order
}

// member is one key of an object.
type member struct {
	key string
	off int // of the key
	val *node
}

// parser builds nodes from a json.Decoder's tokens.
type parser struct {
	data []byte
	dec  *json.Decoder
	pos  *positions
}

// parseJSON parses data into a node tree; a syntax error is recorded in
// pos and nil returned.
func parseJSON(data []byte, pos *positions) *node {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	p := &parser{data: data, dec: dec, pos: pos}
	n, err := p.value()
	if err == nil {
		if _, terr := dec.Token(); terr != io.EOF {
			off := p.start()
			pos.errAt(off, "", "invalid JSON: data after the top-level value")
			return nil
		}
		return n
	}
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		pos.errAt(max(int(se.Offset)-1, 0), "", "invalid JSON: %s", se.Error())
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		pos.errAt(len(data), "", "invalid JSON: unexpected end of file")
	default:
		pos.errAt(p.start(), "", "invalid JSON: %v", err)
	}
	return nil
}

// start returns the offset where the next token starts.
func (p *parser) start() int {
	i := int(p.dec.InputOffset())
	for i < len(p.data) {
		switch p.data[i] {
		case ' ', '\t', '\r', '\n', ',', ':':
			i++
			continue
		}
		break
	}
	return i
}

func (p *parser) value() (*node, error) {
	off := p.start()
	tok, err := p.dec.Token()
	if err != nil {
		return nil, err
	}
	n := &node{off: off}
	switch t := tok.(type) {
	case nil:
		n.kind = nodeNull
	case bool:
		n.kind, n.b = nodeBool, t
	case json.Number:
		n.kind, n.num = nodeNumber, t
	case string:
		n.kind, n.str = nodeString, t
	case json.Delim:
		if t == '[' {
			n.kind = nodeArray
			for p.dec.More() {
				e, err := p.value()
				if err != nil {
					return nil, err
				}
				n.elems = append(n.elems, e)
			}
		} else {
			n.kind = nodeObject
			for p.dec.More() {
				koff := p.start()
				k, err := p.dec.Token()
				if err != nil {
					return nil, err
				}
				v, err := p.value()
				if err != nil {
					return nil, err
				}
				n.fields = append(n.fields, member{key: k.(string), off: koff, val: v})
			}
		}
		if _, err := p.dec.Token(); err != nil { // the closing delimiter
			return nil, err
		}
	}
	return n, nil
}

var durationType = reflect.TypeOf(Duration(0))

// bind stores n into v, recording errors under path. want describes the
// expected value (from the field's want tag), or "" for the type's.
func bind(pos *positions, n *node, v reflect.Value, path, want string) {
	pos.offs[path] = n.off
	t := v.Type()
	if want == "" {
		want = defaultWant(t)
	}
	bad := func() { pos.errAt(n.off, path, "want %s", want) }
	if t == durationType {
		if n.kind != nodeString {
			bad()
			return
		}
		d, err := time.ParseDuration(n.str)
		if err != nil || d < 0 {
			pos.errAt(n.off, path, "%q: want %s", n.str, want)
			return
		}
		v.SetInt(int64(d))
		return
	}
	switch t.Kind() {
	case reflect.Pointer:
		if n.kind == nodeNull {
			return
		}
		e := reflect.New(t.Elem())
		bind(pos, n, e.Elem(), path, want)
		v.Set(e)
	case reflect.Struct:
		if n.kind != nodeObject {
			bad()
			return
		}
		bindStruct(pos, n, v, path)
	case reflect.Slice:
		if n.kind == nodeNull {
			return
		}
		if n.kind != nodeArray {
			bad()
			return
		}
		s := reflect.MakeSlice(t, len(n.elems), len(n.elems))
		for i, e := range n.elems {
			bind(pos, e, s.Index(i), path+"["+strconv.Itoa(i)+"]", "")
		}
		v.Set(s)
	case reflect.Map:
		if n.kind == nodeNull {
			return
		}
		if n.kind != nodeObject {
			bad()
			return
		}
		m := reflect.MakeMapWithSize(t, len(n.fields))
		for _, f := range n.fields {
			e := reflect.New(t.Elem()).Elem()
			bind(pos, f.val, e, path+"["+strconv.Quote(f.key)+"]", "")
			m.SetMapIndex(reflect.ValueOf(f.key), e)
		}
		v.Set(m)
	case reflect.String:
		if n.kind != nodeString {
			bad()
			return
		}
		v.SetString(n.str)
	case reflect.Bool:
		if n.kind != nodeBool {
			bad()
			return
		}
		v.SetBool(n.b)
	case reflect.Int:
		i, err := n.num.Int64()
		if n.kind != nodeNumber || err != nil {
			bad()
			return
		}
		v.SetInt(i)
	default:
		panic("gateway: no decoder for " + t.String())
	}
}

// bindStruct binds the members of object n to the fields of struct v by
// their json tags: an unknown member and a missing required field are
// errors, and so is a member given twice.
func bindStruct(pos *positions, n *node, v reflect.Value, path string) {
	t := v.Type()
	seen := make(map[string]bool, len(n.fields))
	for _, m := range n.fields {
		sub := joinPath(path, m.key)
		if seen[m.key] {
			pos.errAt(m.off, sub, "given twice")
			continue
		}
		seen[m.key] = true
		f, ok := fieldByJSON(t, m.key)
		if !ok {
			msg := "unknown field"
			if s := suggest(t, m.key); s != "" {
				msg += " (did you mean \"" + s + "\"?)"
			}
			pos.errAt(m.off, sub, "%s", msg)
			continue
		}
		bind(pos, m.val, v.FieldByIndex(f.Index), sub, f.Tag.Get("want"))
	}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name := jsonName(f)
		if f.Tag.Get("required") == "true" && !seen[name] {
			pos.errAt(n.off, joinPath(path, name), "missing (required)")
		}
	}
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func jsonName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	return name
}

func fieldByJSON(t reflect.Type, name string) (reflect.StructField, bool) {
	for i := 0; i < t.NumField(); i++ {
		if f := t.Field(i); jsonName(f) == name {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

// suggest returns the field of t whose name is closest to key, within
// two edits, or "".
func suggest(t reflect.Type, key string) string {
	best, bestD := "", 3
	for i := 0; i < t.NumField(); i++ {
		name := jsonName(t.Field(i))
		if d := editDistance(strings.ToLower(key), name); d < bestD {
			best, bestD = name, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance of a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := prev[j-1]
			if a[i-1] != b[j-1] {
				c++
			}
			cur[j] = min(c, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// defaultWant describes the values of type t.
func defaultWant(t reflect.Type) string {
	if t == durationType {
		return `a duration such as "5s"`
	}
	switch t.Kind() {
	case reflect.Pointer:
		return defaultWant(t.Elem())
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Slice:
		return "a list"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int:
		return "an integer"
	}
	return nodeKindNames[nodeNull]
}
