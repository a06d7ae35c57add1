package fastcgi

import (
	"bytes"
	"log/slog"
)

// stderrLog logs an application's STDERR stream, one log record per line,
// up to max bytes per request; bytes past that are counted and dropped.
type stderrLog struct {
	logger  *slog.Logger
	script  []byte // SCRIPT_NAME, for the log records
	max     int
	taken   int    // bytes kept so far (logged or in line)
	dropped int64  // bytes dropped past max
	line    []byte // the line in progress, at most max bytes
}

func (s *stderrLog) reset(logger *slog.Logger, script []byte, max int) {
	s.logger, s.script, s.max = logger, script, max
	s.taken, s.dropped = 0, 0
	s.line = s.line[:0]
}

// write takes a piece of STDERR content.
func (s *stderrLog) write(p []byte) {
	if room := s.max - s.taken; len(p) > room {
		s.dropped += int64(len(p) - max(room, 0))
		p = p[:max(room, 0)]
	}
	s.taken += len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			s.line = append(s.line, p...)
			return
		}
		s.line = append(s.line, p[:i]...)
		s.emit()
		p = p[i+1:]
	}
}

func (s *stderrLog) emit() {
	line := bytes.TrimRight(s.line, "\r")
	if len(line) > 0 {
		s.logger.Warn("fastcgi: stderr", "script", string(s.script), "line", string(line))
	}
	s.line = s.line[:0]
}

// finish logs the last, unterminated line and the count of dropped bytes.
func (s *stderrLog) finish() {
	if len(s.line) > 0 {
		s.emit()
	}
	if s.dropped > 0 {
		s.logger.Warn("fastcgi: stderr past the limit dropped", "script", string(s.script), "bytes", s.dropped, "limit", s.max)
		s.dropped = 0
	}
}
