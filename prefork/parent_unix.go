//go:build unix

package prefork

import (
	"errors"
	"net"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// child is one child slot of the parent.
type child struct {
	proc    *os.Process // nil while not running
	started time.Time
	delay   time.Duration // the next restart's wait
}

// exit reports a child's end.
type exit struct {
	slot int
	err  error
}

// supervisor is the parent's state, owned by runParent's goroutine.
type supervisor struct {
	p        *Prefork
	exe      string
	lnFD     uintptr // the listener's descriptor, passed to each child
	nullFD   uintptr // /dev/null, the children's standard input
	kids     []child
	running  int
	exits    chan exit
	restart  chan int
	restarts []time.Time // within the last restartWindow
}

// runParent listens, starts the children and supervises them.
func (p *Prefork) runParent(addr string) error {
	ln, err := net.Listen(p.network(), addr)
	if err != nil {
		return err
	}
	defer ln.Close() // kept open (not accepted on) while children run
	sc, ok := ln.(syscall.Conn)
	if !ok {
		return ErrNoListener
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return err
	}
	var lnFD uintptr
	if err := rc.Control(func(fd uintptr) { lnFD = fd }); err != nil {
		return err
	}
	null, err := os.Open(os.DevNull)
	if err != nil {
		return err
	}
	defer null.Close()
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	sig, stopSig := notifyStop()
	defer stopSig()

	n := p.children()
	s := &supervisor{p: p, exe: exe, lnFD: lnFD, nullFD: null.Fd(), kids: make([]child, n),
		exits: make(chan exit, n), restart: make(chan int, n)}
	for i := range n {
		if err := s.start(i); err != nil {
			s.stop(nil)
			return err
		}
	}
	p.logger().Info("prefork: serving", "addr", addr, "children", n)
	for {
		select {
		case e := <-s.exits:
			if !s.died(e.slot, e.err) {
				s.stop(sig)
				return ErrTooManyRestarts
			}
		case slot := <-s.restart:
			if err := s.start(slot); err != nil && !s.died(slot, err) {
				s.stop(sig)
				return ErrTooManyRestarts
			}
		case <-sig:
			s.stop(sig)
			return nil
		case <-p.stopCh:
			s.stop(sig)
			return nil
		}
	}
}

// start starts the child of slot i. The descriptors are passed raw
// (syscall.StartProcess, not os/exec): see listener_unix.go.
func (s *supervisor) start(i int) error {
	attr := &syscall.ProcAttr{
		Env:   append(os.Environ(), envChild+"=1"),
		Files: []uintptr{s.nullFD, 1, 2, s.lnFD}, // the listener is descriptor 3
	}
	pid, _, err := syscall.StartProcess(s.exe, os.Args, attr)
	if err != nil {
		return os.NewSyscallError("fork/exec", err)
	}
	proc, err := os.FindProcess(pid)
	if err != nil {
		return err
	}
	k := &s.kids[i]
	k.proc, k.started = proc, time.Now()
	s.running++
	go func() { s.exits <- exit{slot: i, err: waitErr(proc.Wait())} }()
	s.p.logger().Debug("prefork: child started", "pid", pid)
	return nil
}

// waitErr turns a child's end into an error as exec.Cmd.Wait does: nil
// for a zero exit status, an *exec.ExitError otherwise.
func waitErr(st *os.ProcessState, err error) error {
	if err != nil {
		return err
	}
	if !st.Success() {
		return &exec.ExitError{ProcessState: st}
	}
	return nil
}

// died records the end of the child of slot i (or its failure to
// start) and schedules its restart after a delay that doubles while it
// keeps dying young. It reports false past MaxRestarts.
func (s *supervisor) died(i int, err error) bool {
	k := &s.kids[i]
	pid := 0
	if k.proc != nil {
		pid = k.proc.Pid
		k.proc = nil
		s.running--
	}
	if time.Since(k.started) >= restartWindow || k.delay == 0 {
		k.delay = s.p.restartDelay()
	} else {
		k.delay = min(2*k.delay, maxRestartDelay)
	}
	log := s.p.logger()
	if !s.allowRestart() {
		log.Error("prefork: too many restarts; stopping", "pid", pid, "err", err)
		return false
	}
	log.Warn("prefork: child exited; restarting", "pid", pid, "err", err, "delay", k.delay)
	// At most one restart per slot is pending, and s.restart holds one
	// per slot: the send never blocks.
	time.AfterFunc(k.delay, func() { s.restart <- i })
	return true
}

// allowRestart counts a restart and reports whether it is within
// MaxRestarts.
func (s *supervisor) allowRestart() bool {
	max := s.p.MaxRestarts
	if max < 0 {
		return true
	}
	if max == 0 {
		max = DefaultMaxRestarts
	}
	now := time.Now()
	kept := s.restarts[:0]
	for _, t := range s.restarts {
		if now.Sub(t) < restartWindow {
			kept = append(kept, t)
		}
	}
	s.restarts = append(kept, now)
	return len(s.restarts) <= max
}

// stop sends SIGTERM to the running children and waits for them, killing
// those still running after ShutdownTimeout. A second SIGTERM or SIGINT
// on sig kills them at once.
func (s *supervisor) stop(sig chan os.Signal) {
	for i := range s.kids {
		if p := s.kids[i].proc; p != nil {
			if err := p.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
				s.p.logger().Warn("prefork: signal child", "pid", p.Pid, "err", err)
			}
		}
	}
	kill := time.NewTimer(s.p.shutdownTimeout() + time.Second)
	defer kill.Stop()
	for s.running > 0 {
		select {
		case e := <-s.exits:
			if k := &s.kids[e.slot]; k.proc != nil {
				k.proc = nil
				s.running--
			}
		case <-s.restart:
			// Restarts scheduled before the stop are dropped.
		case <-sig:
			s.killAll()
		case <-kill.C:
			s.p.logger().Warn("prefork: children still running after the shutdown timeout; killing them")
			s.killAll()
		}
	}
}

func (s *supervisor) killAll() {
	for i := range s.kids {
		if p := s.kids[i].proc; p != nil {
			_ = p.Kill()
		}
	}
}
