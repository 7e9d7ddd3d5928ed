// Go peer of rwmutex.c: 4 goroutines, a write lock one op in 100.
package main

import (
	"sync"
	"time"
)

const (
	workers    = 4
	writeEvery = 100
)

var (
	rw    sync.RWMutex
	table [16]int // guarded by rw
)

func main() {
	n := benchOps(2000000)
	perWorker := n / workers
	n = perWorker * workers
	done := make(chan int, workers)
	t0 := time.Now()
	for w := 0; w < workers; w++ {
		go func() {
			seen := 0
			for i := 0; i < perWorker; i++ {
				if i%writeEvery == 0 {
					rw.Lock()
					table[i&15]++
					rw.Unlock()
				} else {
					rw.RLock()
					seen += table[i&15]
					rw.RUnlock()
				}
			}
			done <- seen
		}()
	}
	for w := 0; w < workers; w++ {
		<-done
	}
	d := time.Since(t0)
	writes := 0
	for _, v := range table {
		writes += v
	}
	benchCheck(writes == workers*((perWorker+writeEvery-1)/writeEvery), "writes")
	benchReport("rwmutex", d, n, "")
}
