// Helpers shared by the Go peers of the tangle benchmarks; each peer is
// built as `go build benchutil.go <name>.go`. They mirror ../bench.h: the
// op count is os.Args[1], the result is checked, and one line is printed:
//
//	BENCH <name> ns_per_op=<f> ops=<n> hwm_kib=<peak RSS> [key=value ...]
package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

func benchOps(def int) int {
	if len(os.Args) < 2 {
		return def
	}
	n, err := strconv.Atoi(os.Args[1])
	if err != nil || n <= 0 {
		return def
	}
	return n
}

// benchRSSKiB reads the resident set size from /proc/self/statm, as the C
// programs do.
func benchRSSKiB() int64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0
	}
	pages, _ := strconv.ParseInt(f[1], 10, 64)
	return pages * int64(os.Getpagesize()) / 1024
}

// benchHWMKiB is the peak resident set size, VmHWM in /proc/self/status,
// as the C programs report it.
func benchHWMKiB() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			kib, _ := strconv.ParseInt(f[1], 10, 64)
			return kib
		}
	}
	return 0
}

func benchReport(name string, d time.Duration, ops int, extra string) {
	fmt.Printf("BENCH %s ns_per_op=%.2f ops=%d hwm_kib=%d%s\n", name,
		float64(d.Nanoseconds())/float64(ops), ops, benchHWMKiB(), extra)
}

func benchCheck(ok bool, what string) {
	if !ok {
		fmt.Fprintf(os.Stderr, "bench: wrong result: %s\n", what)
		os.Exit(1)
	}
}
