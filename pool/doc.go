// Package pool reuses the two things an HTTP server makes most often:
// goroutines and byte buffers.
//
// It imports only the standard library and can be used on its own.
//
// # Workers: reused goroutines
//
// Workers runs each task on a goroutine that is kept after the task returns
// and handed the next task. The volt server runs one connection per task.
// Reuse skips creating a goroutine and, above all, keeps the stack the
// goroutine grew: a new goroutine starts with a small stack and grows it by
// copying as a connection's parsers and handlers call deeper, while a reused
// worker has done that already. Idle workers are taken most recently used
// first, so a task runs on a warm stack, and workers idle for longer than
// MaxIdleDuration exit. Go does not allocate when a worker is idle.
//
//	wp := &pool.Workers{MaxWorkers: 10000, MaxIdleDuration: 10 * time.Second}
//	wp.Start()
//	defer wp.Stop()
//	for {
//		conn, err := ln.Accept()
//		if err != nil {
//			return err
//		}
//		if !wp.Go(func() { serveConn(conn) }) {
//			conn.Close() // all workers busy: shed load
//		}
//	}
//
// The pool does not recover panics. A task must not panic, or must recover
// on its own; an unrecovered panic ends the program as on any goroutine.
//
// # Buffers: pooled, self-sizing byte buffers
//
// Buffer is a growable byte slice with io.Writer, io.ReaderFrom and
// io.WriterTo methods. BufferPool keeps returned buffers in a sync.Pool and
// calibrates itself from the lengths it is given back: new buffers get the
// most common size, and buffers bigger than what 95% of uses needed are
// dropped on Put rather than kept, so a rare huge body does not keep its
// memory in the pool. GetBuffer and PutBuffer use a package-level pool.
//
//	b := pool.GetBuffer()
//	b.WriteString("HTTP/1.1 200 OK\r\n")
//	b.B = strconv.AppendInt(b.B, 42, 10)
//	_, err := b.WriteTo(conn)
//	pool.PutBuffer(b) // b must not be used after this
//
// A package that wants its own size statistics (say, one pool for request
// heads and one for bodies) declares its own pool; the zero value is ready:
//
//	var bodyBuffers pool.BufferPool
//
//	b := bodyBuffers.Get()
//	_, err := b.ReadFrom(r)
//	...
//	bodyBuffers.Put(b)
//
// # Lifetimes
//
// After Put or PutBuffer, neither the Buffer nor any slice taken from its B
// field may be used: the memory goes to the next Get. Copy what you need to
// keep first.
package pool
