package pool

import (
	"math/bits"
	"sync"
	"sync/atomic"
)

// DefaultCalibrateAfter is the number of Puts between calibrations of a
// BufferPool, when BufferPool.CalibrateAfter is zero.
const DefaultCalibrateAfter = 42000

// Size classes: class i counts buffers of length in (32<<i, 64<<i] bytes,
// class 0 also the shorter ones, and the top class (512 KiB, 1 MiB] also
// everything longer.
const (
	minClassBits = 6  // 64 B
	numClasses   = 15 // up to 1 MiB

	// keepPercent of the Puts since the last calibration must have fitted
	// in the calibrated maximum capacity.
	keepPercent = 95
)

// BufferPool is a pool of Buffers that sizes itself from what it is given
// back.
//
// Each Put records the length of the returned buffer in a power-of-two size
// class from 64 B to 1 MiB. Every CalibrateAfter Puts the pool recomputes two
// numbers from those counts:
//
//   - the default capacity, the upper bound of the most common class, which
//     new buffers are made with, so most uses never grow a fresh buffer;
//   - the maximum capacity, the upper bound of the smallest class that
//     covers 95% of the Puts. Put drops a buffer with a larger capacity
//     instead of pooling it, so one huge request does not pin its memory in
//     the pool forever. When the 95% fall in the top class (over 512 KiB),
//     there is no maximum.
//
// Before the first calibration, new buffers start empty and every buffer is
// kept. Pooled buffers are held by a sync.Pool, so the garbage collector may
// still free idle ones.
//
// The zero value is ready to use. A BufferPool must not be copied after first
// use. Its methods are safe for concurrent use.
type BufferPool struct {
	// CalibrateAfter is the number of Puts between calibrations.
	// If zero or negative, DefaultCalibrateAfter (42000) is used.
	CalibrateAfter int

	counts      [numClasses]atomic.Uint64 // Puts per size class since the last calibration
	puts        atomic.Uint64             // Puts since the last calibration
	calibrating atomic.Bool               // one calibration at a time
	defaultCap  atomic.Uint64             // capacity of new buffers; 0 until calibrated
	maxCap      atomic.Uint64             // largest capacity Put keeps; 0 means no limit

	pool sync.Pool
}

// defaultBufferPool serves GetBuffer and PutBuffer.
var defaultBufferPool BufferPool

// GetBuffer returns an empty Buffer from the package's default BufferPool.
// Give it back with PutBuffer.
func GetBuffer() *Buffer { return defaultBufferPool.Get() }

// PutBuffer gives b back to the package's default BufferPool. b and its
// contents must not be touched afterwards.
func PutBuffer(b *Buffer) { defaultBufferPool.Put(b) }

// Get returns an empty Buffer, either a pooled one or a new one with the
// calibrated default capacity. Give it back with Put.
func (p *BufferPool) Get() *Buffer {
	if b, ok := p.pool.Get().(*Buffer); ok {
		return b
	}
	return &Buffer{B: make([]byte, 0, p.defaultCap.Load())}
}

// Put records the length of b for calibration, empties b and pools it,
// unless its capacity exceeds the calibrated maximum, in which case b is
// left to the garbage collector. A nil b is ignored.
//
// Put b before resetting it, so the pool learns how much was used. b and
// its contents must not be touched after Put.
func (p *BufferPool) Put(b *Buffer) {
	if b == nil {
		return
	}
	p.counts[sizeClass(len(b.B))].Add(1)
	if p.puts.Add(1) >= p.calibrateAfter() && p.calibrating.CompareAndSwap(false, true) {
		p.calibrate()
		p.calibrating.Store(false)
	}
	if m := p.maxCap.Load(); m != 0 && uint64(cap(b.B)) > m {
		return
	}
	b.B = b.B[:0]
	p.pool.Put(b)
}

func (p *BufferPool) calibrateAfter() uint64 {
	if p.CalibrateAfter <= 0 {
		return DefaultCalibrateAfter
	}
	return uint64(p.CalibrateAfter)
}

// calibrate recomputes defaultCap and maxCap from the class counts and
// starts counting afresh. Puts that race with it land in either round.
func (p *BufferPool) calibrate() {
	var counts [numClasses]uint64
	for i := range counts {
		counts[i] = p.counts[i].Swap(0)
	}
	p.puts.Store(0)
	defaultCap, maxCap := calibration(&counts)
	p.defaultCap.Store(defaultCap)
	p.maxCap.Store(maxCap)
}

// calibration returns the default capacity (the bound of the most common
// class; the smaller one on a tie) and the maximum capacity (the bound of the
// smallest class at which keepPercent of the counts are covered; 0, no limit,
// if that is the top class). It returns 0, 0 if all counts are zero.
func calibration(counts *[numClasses]uint64) (defaultCap, maxCap uint64) {
	var total, best uint64
	for i, n := range counts {
		total += n
		if n > best {
			best, defaultCap = n, classSize(i)
		}
	}
	if total == 0 {
		return 0, 0
	}
	var sum uint64
	for i, n := range counts {
		sum += n
		if sum*100 >= total*keepPercent {
			if i == numClasses-1 {
				return defaultCap, 0
			}
			// The most common class holds at least 1/numClasses > 5% of
			// the counts, so it is never above this one: maxCap >= defaultCap.
			return defaultCap, classSize(i)
		}
	}
	return defaultCap, 0 // not reached: sum == total at the last class
}

// sizeClass returns the class of a buffer of length n.
func sizeClass(n int) int {
	if n <= 1<<minClassBits {
		return 0
	}
	return min(bits.Len(uint(n-1))-minClassBits, numClasses-1)
}

// classSize returns the upper bound of class i.
func classSize(i int) uint64 { return 1 << (minClassBits + i) }
