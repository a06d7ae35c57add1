package prefork

import (
	"log/slog"
	"os"
	"runtime"
	"sync"
	"time"
)

// Defaults for the zero fields of Prefork.
const (
	DefaultRestartDelay    = 100 * time.Millisecond
	DefaultMaxRestarts     = 10
	DefaultShutdownTimeout = 30 * time.Second
)

// maxRestartDelay caps the backoff of a child that keeps dying.
const maxRestartDelay = 10 * time.Second

// restartWindow is the period MaxRestarts counts over, and the time a
// child must live for its backoff to start over.
const restartWindow = time.Minute

// envChild marks a child process.
const envChild = "VOLT_PREFORK_CHILD"

// childFD is the inherited listener's file descriptor in a child.
const childFD = 3

// isChild is read once: ListenAndServe unsets the variable in the child,
// so that the programs it starts are not taken for children.
var isChild = os.Getenv(envChild) == "1"

// IsChild reports whether this process is a child started by a Prefork
// parent.
func IsChild() bool { return isChild }

// Prefork runs a server in several processes. Set its fields before
// ListenAndServe; the zero value works.
type Prefork struct {
	// Children is the number of child processes. If zero,
	// runtime.NumCPU() is used.
	Children int

	// RestartDelay is the wait before a child that died is started
	// again; it doubles, up to 10 s, each time the same child dies again
	// within a minute. If zero, DefaultRestartDelay (100 ms) is used.
	RestartDelay time.Duration

	// MaxRestarts is the most restarts, of all children together, within
	// a minute; past it the parent stops the others and ListenAndServe
	// returns ErrTooManyRestarts. If zero, DefaultMaxRestarts (10) is
	// used; if negative, there is no limit.
	MaxRestarts int

	// ShutdownTimeout bounds a graceful stop: a child's Server.Shutdown
	// and the parent's wait for its children (after which they are
	// killed). If zero, DefaultShutdownTimeout (30 s) is used.
	ShutdownTimeout time.Duration

	// Network is the parent's listening network: "tcp", "tcp4", "tcp6"
	// or "unix". If empty, "tcp" is used.
	Network string

	// Logger receives the parent's records: children started, exited,
	// restarted. If nil, slog.Default() is used.
	Logger *slog.Logger

	stopOnce sync.Once
	stopCh   chan struct{}
	initOnce sync.Once
}

// Shutdown stops a running ListenAndServe as SIGTERM does: in the parent
// it stops the children gracefully, in a child it shuts the server down.
// ListenAndServe returns once they are done.
func (p *Prefork) Shutdown() {
	p.init()
	p.stopOnce.Do(func() { close(p.stopCh) })
}

func (p *Prefork) init() {
	p.initOnce.Do(func() { p.stopCh = make(chan struct{}) })
}

func (p *Prefork) children() int {
	if p.Children > 0 {
		return p.Children
	}
	return runtime.NumCPU()
}

func (p *Prefork) restartDelay() time.Duration {
	if p.RestartDelay > 0 {
		return p.RestartDelay
	}
	return DefaultRestartDelay
}

func (p *Prefork) shutdownTimeout() time.Duration {
	if p.ShutdownTimeout > 0 {
		return p.ShutdownTimeout
	}
	return DefaultShutdownTimeout
}

func (p *Prefork) network() string {
	if p.Network != "" {
		return p.Network
	}
	return "tcp"
}

func (p *Prefork) logger() *slog.Logger {
	if p.Logger != nil {
		return p.Logger
	}
	return slog.Default()
}
