// Go peer of mutex4.c: 4 goroutines contend on one sync.Mutex.
package main

import (
	"sync"
	"time"
)

const workers = 4

var (
	mu      sync.Mutex
	counter int // guarded by mu
)

func main() {
	n := benchOps(2000000)
	perWorker := n / workers
	n = perWorker * workers
	done := make(chan struct{}, workers)
	t0 := time.Now()
	for w := 0; w < workers; w++ {
		go func() {
			for i := 0; i < perWorker; i++ {
				mu.Lock()
				counter++
				mu.Unlock()
			}
			done <- struct{}{}
		}()
	}
	for w := 0; w < workers; w++ {
		<-done
	}
	d := time.Since(t0)
	benchCheck(counter == n, "counter")
	benchReport("mutex4", d, n, "")
}
