package main

import (
	"errors"
	"io"
	"os"
	"sync"

	"github.com/volthttp/volt/middleware"
)

// logFiles are the access log files of one generation of the
// configuration, each opened once however many sites share it. A reload
// opens them again (so that rotated files are followed) and closes the
// previous generation's when its last request is done.
type logFiles struct {
	mu    sync.Mutex
	files map[string]*os.File
}

// writer returns the output for path: stdout, stderr or the file, opened
// for appending.
func (lf *logFiles) writer(path string) (io.Writer, error) {
	switch path {
	case "stdout":
		return os.Stdout, nil
	case "stderr":
		return os.Stderr, nil
	}
	lf.mu.Lock()
	defer lf.mu.Unlock()
	if f := lf.files[path]; f != nil {
		return f, nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	if lf.files == nil {
		lf.files = map[string]*os.File{}
	}
	lf.files[path] = f
	return f, nil
}

// accessLog returns the access log middleware of cfg.
func (lf *logFiles) accessLog(cfg *AccessLogConfig, proxies middleware.Proxies) (middleware.Middleware, error) {
	w, err := lf.writer(cfg.Path)
	if err != nil {
		return nil, err
	}
	format := middleware.LogCombined
	if cfg.Format == "common" {
		format = middleware.LogCommon
	}
	return middleware.AccessLog(middleware.AccessLogConfig{Format: format, Output: w, Proxies: proxies}), nil
}

// Close closes the files.
func (lf *logFiles) Close() error {
	lf.mu.Lock()
	defer lf.mu.Unlock()
	var errs []error
	for _, f := range lf.files {
		errs = append(errs, f.Close())
	}
	lf.files = nil
	return errors.Join(errs...)
}
