// Go peer of spawn.c: n goroutines each send one value on a buffered
// channel of capacity n, which main drains.
package main

import "time"

func main() {
	n := benchOps(1000000)
	results := make(chan int, n)
	t0 := time.Now()
	for i := 0; i < n; i++ {
		go func(v int) { results <- v }(i)
	}
	sum := 0
	for i := 0; i < n; i++ {
		sum += <-results
	}
	d := time.Since(t0)
	benchCheck(sum == n*(n-1)/2, "sum of sent values")
	benchReport("spawn", d, n, "")
}
