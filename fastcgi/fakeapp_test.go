package fastcgi

import (
	"bufio"
	"encoding/binary"
	"io"
	"net"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeRequest is a request as the fake application received it.
type fakeRequest struct {
	params     map[string]string
	stdin      []byte
	keep       bool
	maxRecord  int  // longest STDIN or PARAMS content seen
	badPadding bool // a record that was not a multiple of 8 bytes
	seq        int  // index of the request on its connection
}

// fakeWriter writes the fake application's answer.
type fakeWriter struct {
	nc     net.Conn
	bw     *bufio.Writer
	ended  bool
	closed bool
}

func (w *fakeWriter) record(typ uint8, content []byte) {
	for len(content) > maxContent {
		w.record(typ, content[:maxContent])
		content = content[maxContent:]
	}
	pad := paddingFor(len(content))
	w.bw.Write(appendRecordHeader(nil, typ, requestID, len(content), pad))
	w.bw.Write(content)
	w.bw.Write(make([]byte, pad))
}

func (w *fakeWriter) stdout(s string) { w.record(typeStdout, []byte(s)) }
func (w *fakeWriter) stderr(s string) { w.record(typeStderr, []byte(s)) }
func (w *fakeWriter) flush()          { w.bw.Flush() }

// end writes the end of STDOUT and END_REQUEST.
func (w *fakeWriter) end(ps ProtocolStatus) {
	w.record(typeStdout, nil)
	var b [8]byte
	b[4] = byte(ps)
	w.record(typeEndRequest, b[:])
	w.flush()
	w.ended = true
}

// die closes the connection without END_REQUEST.
func (w *fakeWriter) die() {
	w.flush()
	w.nc.Close()
	w.closed = true
}

// fakeApp is a small FastCGI responder for tests.
type fakeApp struct {
	t        testing.TB
	ln       net.Listener
	handle   func(r *fakeRequest, w *fakeWriter)
	conns    atomic.Int32
	requests atomic.Int32
	stdin    atomic.Int64 // STDIN bytes received, counted as they arrive
	wg       sync.WaitGroup
	mu       sync.Mutex
	open     map[net.Conn]bool
}

// startFakeApp listens on a Unix socket (unix) or 127.0.0.1 and serves
// with handle. It returns the app and the Config.Addr to reach it.
func startFakeApp(t testing.TB, unix bool, handle func(r *fakeRequest, w *fakeWriter)) (*fakeApp, string) {
	t.Helper()
	var ln net.Listener
	var err error
	var addr string
	if unix {
		path := filepath.Join(t.TempDir(), "app.sock")
		ln, err = net.Listen("unix", path)
		addr = "unix:" + path
	} else {
		ln, err = net.Listen("tcp", "127.0.0.1:0")
		if ln != nil {
			addr = ln.Addr().String()
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	a := &fakeApp{t: t, ln: ln, handle: handle, open: map[net.Conn]bool{}}
	a.wg.Add(1)
	go a.accept()
	t.Cleanup(a.close)
	return a, addr
}

func (a *fakeApp) close() {
	a.ln.Close()
	a.mu.Lock()
	for c := range a.open {
		c.Close()
	}
	a.mu.Unlock()
	a.wg.Wait()
}

func (a *fakeApp) accept() {
	defer a.wg.Done()
	for {
		nc, err := a.ln.Accept()
		if err != nil {
			return
		}
		a.conns.Add(1)
		a.mu.Lock()
		a.open[nc] = true
		a.mu.Unlock()
		a.wg.Add(1)
		go a.serve(nc)
	}
}

func (a *fakeApp) serve(nc net.Conn) {
	defer a.wg.Done()
	defer func() {
		nc.Close()
		a.mu.Lock()
		delete(a.open, nc)
		a.mu.Unlock()
	}()
	br := bufio.NewReader(nc)
	for seq := 0; ; seq++ {
		r, err := readFakeRequest(br, &a.stdin)
		if err != nil {
			return
		}
		r.seq = seq
		a.requests.Add(1)
		w := &fakeWriter{nc: nc, bw: bufio.NewWriter(nc)}
		a.handle(r, w)
		if w.closed {
			return
		}
		if !w.ended {
			w.end(RequestComplete)
		}
		if !r.keep {
			return
		}
	}
}

// readFakeRequest reads BEGIN_REQUEST, PARAMS and STDIN.
func readFakeRequest(br *bufio.Reader, stdinSeen *atomic.Int64) (*fakeRequest, error) {
	r := &fakeRequest{params: map[string]string{}}
	var params []byte
	paramsDone, stdinDone := false, false
	for !paramsDone || !stdinDone {
		var h [headerLen]byte
		if _, err := io.ReadFull(br, h[:]); err != nil {
			return nil, err
		}
		if h[0] != version1 || binary.BigEndian.Uint16(h[2:]) != requestID {
			return nil, ErrVersion
		}
		n, pad := int(binary.BigEndian.Uint16(h[4:])), int(h[6])
		if (n+pad)%8 != 0 {
			r.badPadding = true
		}
		content := make([]byte, n+pad)
		if _, err := io.ReadFull(br, content); err != nil {
			return nil, err
		}
		content = content[:n]
		r.maxRecord = max(r.maxRecord, n)
		switch h[1] {
		case typeBeginRequest:
			r.keep = content[2]&flagKeepConn != 0
		case typeParams:
			if n == 0 {
				paramsDone = true
			}
			params = append(params, content...)
		case typeStdin:
			if n == 0 {
				stdinDone = true
			}
			r.stdin = append(r.stdin, content...)
			stdinSeen.Add(int64(n))
		default:
			return nil, ErrUnexpectedRecord
		}
	}
	err := parsePairs(params, func(name, value []byte) { r.params[string(name)] = string(value) })
	return r, err
}

// sleep pauses a fake application, bounded so tests end.
func sleep(d time.Duration) { time.Sleep(d) }
