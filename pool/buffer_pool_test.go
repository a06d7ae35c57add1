package pool

import (
	"sync"
	"testing"
)

func TestBufferPoolRoundTrip(t *testing.T) {
	var p BufferPool
	b := p.Get()
	if b.Len() != 0 {
		t.Fatalf("new buffer has len %d", b.Len())
	}
	b.WriteString("hello")
	p.Put(b)
	for range 10 {
		b := p.Get()
		if b.Len() != 0 {
			t.Fatalf("pooled buffer has len %d, want 0 (%q)", b.Len(), b.B)
		}
		b.WriteString("again")
		p.Put(b)
	}
	p.Put(nil) // ignored
}

func TestGetPutBuffer(t *testing.T) {
	b := GetBuffer()
	b.WriteString("x")
	PutBuffer(b)
	b = GetBuffer()
	if b.Len() != 0 {
		t.Fatalf("GetBuffer returned len %d", b.Len())
	}
	PutBuffer(b)
}

func TestSizeClass(t *testing.T) {
	tests := []struct{ n, class int }{
		{0, 0}, {1, 0}, {64, 0},
		{65, 1}, {128, 1},
		{129, 2}, {256, 2},
		{4096, 6}, {4097, 7},
		{512 << 10, 13}, {512<<10 + 1, 14}, {1 << 20, 14},
		{1<<20 + 1, 14}, {1 << 30, 14},
	}
	for _, tc := range tests {
		if got := sizeClass(tc.n); got != tc.class {
			t.Errorf("sizeClass(%d) = %d, want %d", tc.n, got, tc.class)
		}
		if tc.n <= 1<<20 && uint64(tc.n) > classSize(sizeClass(tc.n)) {
			t.Errorf("classSize(sizeClass(%d)) = %d, too small", tc.n, classSize(sizeClass(tc.n)))
		}
	}
}

func TestCalibration(t *testing.T) {
	tests := []struct {
		name       string
		counts     map[int]uint64 // class -> count
		defaultCap uint64
		maxCap     uint64
	}{
		{"empty", nil, 0, 0},
		{"one class", map[int]uint64{6: 100}, 4096, 4096},
		{"tail under 5 percent", map[int]uint64{2: 10, 6: 86, 12: 4}, 4096, 4096},
		{"tail at 5 percent", map[int]uint64{6: 95, 12: 5}, 4096, 4096},
		{"tail over 5 percent", map[int]uint64{6: 94, 12: 6}, 4096, 256 << 10},
		{"mode below max", map[int]uint64{0: 50, 3: 30, 5: 20}, 64, 2048},
		{"tie picks smaller", map[int]uint64{1: 50, 4: 50}, 128, 1024},
		{"top class is no limit", map[int]uint64{14: 100}, 1 << 20, 0},
		{"spread to top", map[int]uint64{0: 10, 14: 90}, 1 << 20, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var counts [numClasses]uint64
			for c, n := range tc.counts {
				counts[c] = n
			}
			d, m := calibration(&counts)
			if d != tc.defaultCap || m != tc.maxCap {
				t.Fatalf("calibration = %d, %d; want %d, %d", d, m, tc.defaultCap, tc.maxCap)
			}
		})
	}
}

func TestBufferPoolCalibrates(t *testing.T) {
	const after = 1000
	p := BufferPool{CalibrateAfter: after}
	for range after {
		p.Put(&Buffer{B: make([]byte, 1000)}) // class (512, 1024]
	}
	if d, m := p.defaultCap.Load(), p.maxCap.Load(); d != 1024 || m != 1024 {
		t.Fatalf("after calibration: default %d, max %d; want 1024, 1024", d, m)
	}

	// A buffer far above the calibrated max is dropped on Put.
	p.Put(&Buffer{B: make([]byte, 1<<20)})
	for range 3 * after {
		b := p.Get()
		if cap(b.B) > 1024 {
			t.Fatalf("Get returned a buffer with cap %d after calibration to max 1024", cap(b.B))
		}
	}
	// Once the pool is drained, new buffers get the default capacity.
	var p2 BufferPool
	p2.defaultCap.Store(2048)
	if b := p2.Get(); cap(b.B) != 2048 || b.Len() != 0 {
		t.Fatalf("new buffer: len %d cap %d, want 0, 2048", b.Len(), cap(b.B))
	}
}

func TestBufferPoolRecalibrates(t *testing.T) {
	const after = 500
	p := BufferPool{CalibrateAfter: after}
	for range after {
		p.Put(&Buffer{B: make([]byte, 100)})
	}
	if d := p.defaultCap.Load(); d != 128 {
		t.Fatalf("first calibration default %d, want 128", d)
	}
	// The workload changes to bigger buffers: the next round follows it.
	for range after {
		p.Put(&Buffer{B: make([]byte, 10000)})
	}
	if d, m := p.defaultCap.Load(), p.maxCap.Load(); d != 16384 || m != 16384 {
		t.Fatalf("second calibration: default %d, max %d; want 16384, 16384", d, m)
	}
}

// TestBufferPoolConcurrent is meant for -race.
func TestBufferPoolConcurrent(t *testing.T) {
	p := BufferPool{CalibrateAfter: 100}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 2000 {
				b := p.Get()
				if b.Len() != 0 {
					t.Errorf("Get returned len %d", b.Len())
					return
				}
				for range (g*i)%300 + 1 {
					b.WriteString("0123456789")
				}
				p.Put(b)
			}
		}()
	}
	wg.Wait()
}
