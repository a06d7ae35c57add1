package websocket

import (
	"errors"
	"runtime"
	"sync"
	"unicode/utf8"
)

// PreparedMessage is a message framed once, and compressed once, to be
// sent to many connections with WritePreparedMessage or Broadcast: a chat
// room, a ticker. The encodings are made on first use for each kind of
// connection (server or client side, compression parameters) and kept.
// It is safe for concurrent use.
type PreparedMessage struct {
	op   byte
	data []byte

	mu     sync.Mutex
	frames []preparedFrame
}

type preparedKey struct {
	server  bool
	deflate bool
	level   int
	bits    int
}

// preparedFrame is one encoding: a whole frame for a server connection,
// the payload for a client connection (which masks each send).
type preparedFrame struct {
	key preparedKey
	b   []byte
}

// NewPreparedMessage prepares a message of type mt (TextMessage or
// BinaryMessage) with a copy of data. The data of a text message must be
// valid UTF-8: if it is not, NewPreparedMessage returns ErrInvalidUTF8.
func NewPreparedMessage(mt MessageType, data []byte) (*PreparedMessage, error) {
	switch mt {
	case TextMessage:
		if !utf8.Valid(data) {
			return nil, ErrInvalidUTF8
		}
	case BinaryMessage:
	default:
		return nil, ErrBadMessageType
	}
	return &PreparedMessage{op: byte(mt), data: append([]byte(nil), data...)}, nil
}

// encoding returns the encoding of pm for key.
func (pm *PreparedMessage) encoding(key preparedKey) []byte {
	pm.mu.Lock()
	defer pm.mu.Unlock()
	for i := range pm.frames {
		if pm.frames[i].key == key {
			return pm.frames[i].b
		}
	}
	payload := pm.data
	var rsv byte
	if key.deflate {
		payload = deflateMessage(nil, pm.data, key.level, key.bits)
		rsv = bitRsv1
	}
	b := payload
	if key.server {
		b = appendFrameHeader(make([]byte, 0, maxHeaderSize+len(payload)), true, rsv, pm.op, nil, len(payload))
		b = append(b, payload...)
	}
	pm.frames = append(pm.frames, preparedFrame{key, b})
	return b
}

// WritePreparedMessage writes pm as WriteMessage would write its data,
// framing and compressing it once for all the connections it goes to. A
// server connection sends the prepared frame with one Write. With
// context takeover, or fragmentation, the message is written as by
// WriteMessage instead, since each connection's frames differ then.
func (c *Conn) WritePreparedMessage(pm *PreparedMessage) error {
	deflate := c.shouldCompress(len(pm.data))
	if deflate && !c.df.pm.writeNoContext || c.cfg.FragmentSize > 0 && len(pm.data) > c.cfg.FragmentSize {
		return c.writeMessage(pm.op, pm.data)
	}
	key := preparedKey{server: c.isServer, deflate: deflate}
	if deflate {
		key.level, key.bits = c.df.pm.level, c.df.pm.writeBits
	}
	b := pm.encoding(key)
	c.msgMu.Lock()
	defer c.msgMu.Unlock()
	if !c.isServer {
		var rsv byte
		if deflate {
			rsv = bitRsv1
		}
		return c.writeFrame(true, rsv, pm.op, b)
	}
	c.frameMu.lock()
	defer c.frameMu.unlock()
	if c.writeErr != nil {
		return c.writeErr
	}
	if c.closeSent {
		return ErrCloseSent
	}
	err := c.writeNet(b)
	if err != nil {
		c.writeFailed(err)
	}
	return err
}

// broadcastChunk is the fewest connections Broadcast gives a goroutine of
// its own.
const broadcastChunk = 16

// Broadcast writes pm to each of conns, and returns the errors of those
// that failed, joined, or nil. Large fan-outs are split between up to
// GOMAXPROCS goroutines (at least 16 connections each), so that the
// writes, one system call each, run in parallel; each goroutine writes its
// connections in turn, and a connection that does not read delays the
// ones after it until its write times out (Config.WriteTimeout, 10 s by
// default).
func Broadcast(pm *PreparedMessage, conns []*Conn) error {
	workers := min(runtime.GOMAXPROCS(0), len(conns)/broadcastChunk)
	if workers <= 1 {
		return broadcastTo(pm, conns)
	}
	errs := make([]error, workers)
	var wg sync.WaitGroup
	per := (len(conns) + workers - 1) / workers
	for w := 1; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[w] = broadcastTo(pm, conns[min(w*per, len(conns)):min((w+1)*per, len(conns))])
		}()
	}
	errs[0] = broadcastTo(pm, conns[:per])
	wg.Wait()
	return errors.Join(errs...)
}

func broadcastTo(pm *PreparedMessage, conns []*Conn) error {
	var errs []error
	for _, c := range conns {
		if err := c.WritePreparedMessage(pm); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
