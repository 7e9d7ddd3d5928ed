// Go peer of memloop.c: the same update-and-sum loop over 4 Mi uint64 in
// one goroutine.
package main

import "time"

const memloopLen = 1 << 22

//go:noinline
func memloopRun(a []uint64, passes int) uint64 {
	var sum uint64
	for p := 0; p < passes; p++ {
		for i := range a {
			a[i] = a[i]*31 + uint64(i)
			sum += a[i]
		}
	}
	return sum
}

func memloopExpect(passes int) uint64 {
	var sum uint64
	for i := 0; i < memloopLen; i++ {
		var v uint64
		for p := 0; p < passes; p++ {
			v = v*31 + uint64(i)
			sum += v
		}
	}
	return sum
}

func main() {
	n := benchOps(50 * memloopLen)
	passes := n / memloopLen
	if passes < 1 {
		passes = 1
	}
	done := make(chan uint64)
	t0 := time.Now()
	go func() {
		a := make([]uint64, memloopLen)
		done <- memloopRun(a, passes)
	}()
	result := <-done
	d := time.Since(t0)
	benchCheck(result == memloopExpect(passes), "checksum")
	benchReport("memloop", d, passes*memloopLen, "")
}
