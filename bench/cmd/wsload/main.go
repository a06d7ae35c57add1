// Command wsload is the WebSocket load generator of load.sh: it opens -c
// connections to a WebSocket echo endpoint and, on each, sends a binary
// message of -size bytes and waits for its echo, again and again, for -d.
// It prints the messages echoed per second, the round-trip latency
// percentiles, and a last line for scripts:
//
//	result msgs_per_sec=N p50_us=N p99_us=N errors=N msgs=N
//
// Usage:
//
//	wsload -url ws://127.0.0.1:18080/ws [-c 64] [-d 5s] [-size 128] [-client volt]
//
// The same client (-client volt, gorilla or gws; bench.DialWS) drives
// every server, so that only the server differs between runs. volt's
// client is the default because it costs the least CPU per message, which
// keeps the load generator from being the bottleneck on a small machine.
package main

import (
	"flag"
	"fmt"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/volthttp/volt/bench"
)

func main() {
	url := flag.String("url", "ws://127.0.0.1:18080/ws", "WebSocket echo endpoint")
	conns := flag.Int("c", 64, "connections")
	dur := flag.Duration("d", 5*time.Second, "duration of the measured run")
	size := flag.Int("size", 128, "message size in bytes")
	client := flag.String("client", "volt", "client implementation: volt, gorilla or gws")
	flag.Parse()
	r, err := run(*url, *client, *conns, *size, *dur)
	if err != nil {
		fmt.Fprintln(os.Stderr, "wsload:", err)
		os.Exit(1)
	}
	r.print(os.Stdout, *conns, *size, *dur, *client)
}

type result struct {
	msgs, errors int
	elapsed      time.Duration
	rtts         []time.Duration // sorted
}

// run dials every connection first (a failed dial is an error), then
// starts them together and stops them after dur. A connection that fails
// during the run counts one error and stops.
func run(url, client string, conns, size int, dur time.Duration) (*result, error) {
	cs := make([]bench.WSClient, conns)
	for i := range cs {
		c, err := bench.DialWS(client, url, false)
		if err != nil {
			for _, c := range cs[:i] {
				c.Close()
			}
			return nil, fmt.Errorf("connection %d: %w", i+1, err)
		}
		cs[i] = c
	}
	payload := make([]byte, size)
	for i := range payload {
		payload[i] = byte(i)
	}
	var (
		mu     sync.Mutex
		res    result
		wg     sync.WaitGroup
		start  = make(chan struct{})
		stopAt time.Time
	)
	for _, c := range cs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rtts := make([]time.Duration, 0, 1<<14)
			failed := 0
			<-start
			for {
				t0 := time.Now()
				if t0.After(stopAt) {
					break
				}
				if err := c.Write(payload); err != nil {
					failed = 1
					break
				}
				if n, err := c.Read(); err != nil || n != size {
					failed = 1
					break
				}
				rtts = append(rtts, time.Since(t0))
			}
			mu.Lock()
			res.msgs += len(rtts)
			res.errors += failed
			res.rtts = append(res.rtts, rtts...)
			mu.Unlock()
		}()
	}
	t0 := time.Now()
	stopAt = t0.Add(dur)
	close(start)
	wg.Wait()
	res.elapsed = time.Since(t0)
	for _, c := range cs {
		c.Close()
	}
	slices.Sort(res.rtts)
	return &res, nil
}

// percentile returns the p-th percentile (0 < p <= 100) of the sorted rtts.
func (r *result) percentile(p float64) time.Duration {
	if len(r.rtts) == 0 {
		return 0
	}
	i := int(float64(len(r.rtts))*p/100+0.5) - 1
	return r.rtts[max(0, min(i, len(r.rtts)-1))]
}

func (r *result) print(w *os.File, conns, size int, dur time.Duration, client string) {
	rate := float64(r.msgs) / r.elapsed.Seconds()
	p50, p99 := r.percentile(50), r.percentile(99)
	fmt.Fprintf(w, "wsload: %d connections, %v, %d-byte binary messages, %s client\n", conns, dur, size, client)
	fmt.Fprintf(w, "  %d messages echoed in %.2fs, %d connection errors\n", r.msgs, r.elapsed.Seconds(), r.errors)
	fmt.Fprintf(w, "  Messages/sec: %.0f\n  Round trip: p50 %v  p99 %v  max %v\n", rate, p50, p99, r.percentile(100))
	fmt.Fprintf(w, "result msgs_per_sec=%.0f p50_us=%d p99_us=%d errors=%d msgs=%d\n",
		rate, p50.Microseconds(), p99.Microseconds(), r.errors, r.msgs)
}
