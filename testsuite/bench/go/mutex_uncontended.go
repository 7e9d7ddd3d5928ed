// Go peer of mutex_uncontended.c.
package main

import (
	"sync"
	"time"
)

var (
	mu      sync.Mutex
	counter int // guarded by mu
)

func main() {
	n := benchOps(10000000)
	t0 := time.Now()
	for i := 0; i < n; i++ {
		mu.Lock()
		counter++
		mu.Unlock()
	}
	d := time.Since(t0)
	benchCheck(counter == n, "counter")
	benchReport("mutex_uncontended", d, n, "")
}
