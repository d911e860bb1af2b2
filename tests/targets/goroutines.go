// A Go program frozen with many goroutines: some deep in recursion with data
// on their (small, side by side) stacks, some blocked in raw read(2) calls,
// so that threads are frozen with their stack pointers inside goroutine
// stacks. After resume every goroutine checks the data of each of its
// frames, the garbage collector walks every stack, and the blocked reads
// return the bytes written to them: PASS, or FAIL: <what>.
//
// The same protocol as the C targets (target.h): READY, then SIGUSR1.
package main

import (
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"sync"
	"syscall"
)

const (
	deepGoroutines    = 64
	depth             = 40
	blockedGoroutines = 8
)

// recurse keeps a pattern in each of its frames, parks at the bottom until
// release is closed, and checks every frame on the way back up.
func recurse(id, level int, ready *sync.WaitGroup, release chan struct{}) int {
	var local [24]uint64
	for i := range local {
		local[i] = uint64(id)<<32 | uint64(level)<<8 | uint64(i)
	}
	bad := 0
	if level == depth {
		ready.Done()
		<-release
	} else {
		bad = recurse(id, level+1, ready, release)
	}
	for i := range local {
		if local[i] != uint64(id)<<32|uint64(level)<<8|uint64(i) {
			bad++
		}
	}
	return bad
}

// blockedRead sits in read(2) on a blocking pipe, on its goroutine's stack.
func blockedRead(fd int, ready *sync.WaitGroup, got chan<- string) {
	var buf [16]byte
	ready.Done()
	n, err := syscall.Read(fd, buf[:])
	if err != nil {
		got <- "read: " + err.Error()
		return
	}
	got <- string(buf[:n])
}

func main() {
	usr1 := make(chan os.Signal, 16)
	signal.Notify(usr1, syscall.SIGUSR1)

	var ready sync.WaitGroup
	release := make(chan struct{})
	bad := make(chan int, deepGoroutines)
	ready.Add(deepGoroutines + blockedGoroutines)
	for id := 0; id < deepGoroutines; id++ {
		go func(id int) { bad <- recurse(id, 0, &ready, release) }(id)
	}
	writers := make([]int, blockedGoroutines)
	got := make(chan string, blockedGoroutines)
	for i := range writers {
		var p [2]int
		if err := syscall.Pipe(p[:]); err != nil {
			fmt.Println("FAIL: setup: pipe:", err)
			os.Exit(1)
		}
		writers[i] = p[1]
		go blockedRead(p[0], &ready, got)
	}
	ready.Wait()
	fmt.Println("READY")
	<-usr1

	var why []string
	for _, w := range writers {
		if _, err := syscall.Write(w, []byte("wake")); err != nil {
			why = append(why, "write: "+err.Error())
		}
	}
	for range writers {
		if s := <-got; s != "wake" {
			why = append(why, fmt.Sprintf("a blocked read returned %q", s))
		}
	}
	runtime.GC()
	close(release)
	frames := 0
	for i := 0; i < deepGoroutines; i++ {
		frames += <-bad
	}
	if frames > 0 {
		why = append(why, fmt.Sprintf("%d words of goroutine frames changed", frames))
	}
	runtime.GC()
	if len(why) > 0 {
		fmt.Println("FAIL: " + strings.Join(why, "; "))
		os.Exit(1)
	}
	fmt.Println("PASS")
}
