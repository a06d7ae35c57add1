package pool_test

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/volthttp/volt/pool"
)

func ExampleWorkers() {
	wp := &pool.Workers{MaxWorkers: 4, MaxIdleDuration: time.Second}
	wp.Start()

	var sum atomic.Int64
	var wg sync.WaitGroup
	for i := 1; i <= 10; i++ {
		wg.Add(1)
		task := func() {
			defer wg.Done()
			sum.Add(int64(i))
		}
		for !wp.Go(task) {
			// All four workers are busy: a server would shed the
			// connection; here we wait for one to free up.
			time.Sleep(time.Millisecond)
		}
	}
	wg.Wait()
	fmt.Println("sum:", sum.Load())
	fmt.Println("at most 4 workers:", wp.Running() <= 4)

	wp.Stop()
	fmt.Println("accepts after Stop:", wp.Go(func() {}))
	// Output:
	// sum: 55
	// at most 4 workers: true
	// accepts after Stop: false
}

func ExampleBufferPool() {
	var bp pool.BufferPool // the zero value is ready to use

	b := bp.Get()
	b.WriteString("HTTP/1.1 200 OK\r\n")
	b.ReadFrom(strings.NewReader("Content-Length: 0\r\n\r\n"))
	fmt.Printf("%q\n", b.Bytes())
	bp.Put(b) // b must not be used after this

	b = bp.Get() // perhaps the same buffer, always empty
	fmt.Println("len after Get:", b.Len())
	bp.Put(b)
	// Output:
	// "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
	// len after Get: 0
}
