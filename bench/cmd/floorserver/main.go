//go:build linux

// Command floorserver is the floor of CPU per request that a Go server
// can reach on the keep-alive benchmark of bench/floor.sh: it answers
// every request head with one canned "Hello, World!" response and does
// no HTTP work at all (it only counts the CRLFCRLF that end request
// heads, and assumes that a read never splits one). It is not a server;
// it shows how much of a server's CPU per request the kernel and the
// serving model take before any HTTP code runs.
//
//	floorserver -addr 127.0.0.1:18080 -mode goroutine|held|epoll|epoll-workers
//
// Modes:
//   - goroutine: a goroutine per connection blocked in net.Conn.Read, as
//     net/http and fasthttp serve. After each response the next read
//     finds nothing yet (EAGAIN) and the goroutine parks in the runtime
//     poller: two reads per request.
//   - held: a goroutine per connection that serves inside one
//     syscall.RawConn.Read callback: after a short read (the socket is
//     drained) it answers and returns false, so that the runtime poller
//     waits for the next edge without the reset that starts every
//     Read: one read per request, with a goroutine per connection. Its
//     reads and writes are raw system calls, which the scheduler does
//     not track (the socket never blocks). volt's HTTP/1.1 server serves
//     busy connections so on Linux (its held wait).
//   - epoll: one edge-triggered epoll instance of its own, waited on
//     through the runtime poller; ready sockets are read and answered
//     inline on that goroutine: one read per request, as nginx does.
//   - epoll-workers: the same epoll instance, but each ready socket is
//     served on its connection's own goroutine, woken through a channel
//     (handlers that may block need that).
package main

import (
	"bytes"
	"flag"
	"log"
	"net"
	"os"
	"sync"
	"syscall"
	"unsafe"
)

var response = []byte("HTTP/1.1 200 OK\r\nServer: floor\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, World!")

var headEnd = []byte("\r\n\r\n")

func main() {
	addr := flag.String("addr", "127.0.0.1:18080", "TCP address to listen on")
	mode := flag.String("mode", "goroutine", "goroutine, held, epoll or epoll-workers")
	flag.Parse()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	switch *mode {
	case "goroutine":
		acceptLoop(ln, serveGoroutine)
	case "held":
		acceptLoop(ln, serveHeld)
	case "epoll", "epoll-workers":
		serveEpoll(ln, *mode == "epoll-workers")
	default:
		log.Fatalf("floorserver: unknown mode %q", *mode)
	}
}

// acceptLoop serves each connection of ln on a goroutine of its own.
func acceptLoop(ln net.Listener, serve func(net.Conn)) {
	for {
		c, err := ln.Accept()
		if err != nil {
			log.Fatal(err)
		}
		go serve(c)
	}
}

// answer appends one response per complete request head in req.
func answer(out, req []byte) []byte {
	for {
		i := bytes.Index(req, headEnd)
		if i < 0 {
			return out
		}
		out = append(out, response...)
		req = req[i+len(headEnd):]
	}
}

func serveGoroutine(c net.Conn) {
	defer c.Close()
	buf := make([]byte, 4096)
	var out []byte
	for {
		n, err := c.Read(buf)
		if err != nil {
			return
		}
		out = answer(out[:0], buf[:n])
		if _, err := c.Write(out); err != nil {
			return
		}
	}
}

func serveHeld(c net.Conn) {
	defer c.Close()
	rc, err := c.(*net.TCPConn).SyscallConn()
	if err != nil {
		return
	}
	buf := make([]byte, 4096)
	var out []byte
	_ = rc.Read(func(fd uintptr) bool {
		for {
			// Raw calls, as volt's held wait makes them: the socket is
			// non-blocking, so the scheduler need not know of them.
			r, _, e := syscall.RawSyscall(syscall.SYS_READ, fd, uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)))
			n := int(r)
			switch {
			case e == syscall.EINTR:
				continue
			case e == syscall.EAGAIN:
				return false
			case e != 0 || n == 0:
				return true
			}
			out = answer(out[:0], buf[:n])
			if _, _, e := syscall.RawSyscall(syscall.SYS_WRITE, fd, uintptr(unsafe.Pointer(&out[0])), uintptr(len(out))); e != 0 {
				return true
			}
			if n < len(buf) {
				return false // drained: wait for the next edge
			}
		}
	})
}

// conn is a socket served from the epoll instance.
type conn struct {
	nc   net.Conn // kept so that the descriptor stays open
	fd   int
	buf  []byte
	out  []byte
	wake chan struct{} // epoll-workers: one pending wake-up at most
}

// serve reads what arrived and answers it. It reports false once the
// connection is closed.
func (c *conn) serve(epfd int) bool {
	for {
		n, err := syscall.Read(c.fd, c.buf)
		switch {
		case err == syscall.EINTR:
			continue
		case err == syscall.EAGAIN:
			return true
		case err != nil || n == 0:
			_ = syscall.EpollCtl(epfd, syscall.EPOLL_CTL_DEL, c.fd, nil)
			_ = c.nc.Close()
			return false
		}
		c.out = answer(c.out[:0], c.buf[:n])
		if _, err := syscall.Write(c.fd, c.out); err != nil {
			_ = syscall.EpollCtl(epfd, syscall.EPOLL_CTL_DEL, c.fd, nil)
			_ = c.nc.Close()
			return false
		}
		if n < len(c.buf) {
			// A short read drained the socket: edge-triggered epoll
			// reports the next bytes, with no read to find EAGAIN.
			return true
		}
	}
}

func serveEpoll(ln net.Listener, workers bool) {
	epfd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		log.Fatal(err)
	}
	if err := syscall.SetNonblock(epfd, true); err != nil {
		log.Fatal(err)
	}
	var mu sync.Mutex
	conns := map[int]*conn{}
	go func() {
		for {
			nc, err := ln.Accept()
			if err != nil {
				log.Fatal(err)
			}
			rc, err := nc.(*net.TCPConn).SyscallConn()
			if err != nil {
				log.Fatal(err)
			}
			c := &conn{nc: nc, buf: make([]byte, 4096)}
			_ = rc.Control(func(fd uintptr) { c.fd = int(fd) })
			if workers {
				c.wake = make(chan struct{}, 1)
				go func() {
					for range c.wake {
						if !c.serve(epfd) {
							mu.Lock()
							if conns[c.fd] == c { // not a new conn with the same descriptor
								delete(conns, c.fd)
							}
							mu.Unlock()
							return
						}
					}
				}()
			}
			mu.Lock()
			conns[c.fd] = c
			mu.Unlock()
			ev := syscall.EpollEvent{Events: syscall.EPOLLIN | syscall.EPOLLRDHUP | -syscall.EPOLLET, Fd: int32(c.fd)}
			if err := syscall.EpollCtl(epfd, syscall.EPOLL_CTL_ADD, c.fd, &ev); err != nil {
				log.Fatal(err)
			}
		}
	}()
	f := os.NewFile(uintptr(epfd), "epoll") // waited on by the runtime poller
	rc, err := f.SyscallConn()
	if err != nil {
		log.Fatal(err)
	}
	events := make([]syscall.EpollEvent, 256)
	drain := func(efd uintptr) bool {
		for {
			n, err := syscall.EpollWait(int(efd), events, 0)
			if err == syscall.EINTR {
				continue
			}
			if n <= 0 {
				return false // wait in the poller
			}
			mu.Lock()
			for i := range events[:n] {
				c := conns[int(events[i].Fd)]
				if c == nil {
					continue
				}
				if workers {
					select {
					case c.wake <- struct{}{}:
					default:
					}
				} else if !c.serve(epfd) {
					delete(conns, c.fd)
				}
			}
			mu.Unlock()
		}
	}
	for {
		if err := rc.Read(drain); err != nil {
			log.Fatal(err)
		}
	}
}
