package bench

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// The idle-memory tools (idlemem, wsidlemem, sseidlemem) share these:
// they open many connections to a server running in a child process and
// read the child's resident set size before and after.

// VmRSS returns the resident set size of process pid, in bytes, from
// /proc/PID/status.
func VmRSS(pid int) (int64, error) {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		line := s.Bytes()
		if v, ok := bytes.CutPrefix(line, []byte("VmRSS:")); ok {
			fields := strings.Fields(string(v)) // "123456 kB"
			if len(fields) != 2 || fields[1] != "kB" {
				return 0, fmt.Errorf("unexpected VmRSS line %q", line)
			}
			kb, err := strconv.ParseInt(fields[0], 10, 64)
			return kb << 10, err
		}
	}
	if err := s.Err(); err != nil {
		return 0, err
	}
	return 0, errors.New("no VmRSS in /proc/" + strconv.Itoa(pid) + "/status")
}

// OpenConns opens n connections with open, workers at a time. On failure
// it closes the ones it opened and returns the first error.
func OpenConns(n, workers int, open func(i int) (net.Conn, error)) ([]net.Conn, error) {
	conns := make([]net.Conn, n)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	next := make(chan int)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				c, err := open(i)
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = fmt.Errorf("connection %d: %w", i, err)
					}
					mu.Unlock()
					continue
				}
				conns[i] = c
			}
		}()
	}
	for i := range conns {
		next <- i
	}
	close(next)
	wg.Wait()
	if firstErr != nil {
		CloseConns(conns)
		return nil, firstErr
	}
	return conns, nil
}

// CloseConns closes every connection of conns that is not nil.
func CloseConns(conns []net.Conn) {
	for _, c := range conns {
		if c != nil {
			c.Close()
		}
	}
}

// Median returns the median of v (the mean of the middle two for an even
// count), or 0 for none; v is not modified.
func Median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	v = slices.Clone(v)
	slices.Sort(v)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

// RSSResult is one implementation's idle cost in one round.
type RSSResult struct {
	Impl    string
	Round   int
	PerConn float64 // bytes of RSS per connection
}

// PrintRSSSummary prints each implementation's median cost, then for each
// of selves the median of its per-round ratios to every other
// implementation (skipping the other selves' first entry, which is
// compared on its own row).
func PrintRSSSummary(results []RSSResult, impls, selves []string, width int) {
	for _, impl := range impls {
		var v []float64
		for _, r := range results {
			if r.Impl == impl {
				v = append(v, r.PerConn)
			}
		}
		fmt.Printf("median %-*s %8.0f bytes/conn\n", width, impl, Median(v))
	}
	for _, self := range selves {
		for _, peer := range impls {
			if peer == self || peer == selves[0] {
				continue
			}
			var ratios []float64
			for _, r := range results {
				if r.Impl != self {
					continue
				}
				for _, p := range results {
					if p.Impl == peer && p.Round == r.Round {
						ratios = append(ratios, r.PerConn/p.PerConn)
					}
				}
			}
			if len(ratios) > 0 {
				fmt.Printf("%s/%s = %.2f (median of per-round ratios; < 1: %s uses less)\n", self, peer, Median(ratios), self)
			}
		}
	}
}
