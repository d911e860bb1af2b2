# tests/cases/python.sh - interpreters frozen mid-computation: python,
# python-threads, java.  Sourced by tests/run.sh.

PYTHON_LOOPS=20000000		# about 3 s of pure-Python work
PYTHON_FREEZE_AFTER=1

find_python() {
	PY=/usr/bin/python3
	[[ -x $PY ]] || PY=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null)
	[[ -n $PY && -x $PY ]]
}

# midway_case NAME CMD...: CMD (set up in CASE by the caller) prints READY,
# computes for a few seconds and prints RESULT. Compare an uninterrupted run
# with one frozen (-k) midway and resumed.
midway_case() {
	local name=$1 tpid expect
	shift
	WHYS=()
	timeout "$COMPUTE_TIMEOUT" "$@" >"$CASE/ref.out" 2>&1
	expect=$(grep -m1 '^RESULT' "$CASE/ref.out")
	if [[ -z $expect ]]; then
		fail "$name" "the uninterrupted run printed no RESULT: $(brief "$CASE/ref.out")"
		return
	fi
	if [[ $NOFREEZE == 1 ]]; then
		pass "$name (uninterrupted: $expect)"
		return
	fi
	start_target root "$CASE/t" "$CASE/t.out" "$@"
	tpid=$TPID
	wait_until "$READY_TIMEOUT" ready_or_dead "$CASE/t.out" "$tpid"
	sleep "$PYTHON_FREEZE_AFTER"
	if ! alive "$tpid"; then
		reap "$tpid"
		fail "$name" "$1 ended before it could be frozen: $(brief "$CASE/t.out")"
		return
	fi
	run_freeze root "$CASE/freeze.err" -k "$CASE/img" "$tpid"
	if ((FREEZE_RC != 0)); then
		kill_reap "$tpid"
		fail "$name" "freeze $(describe_rc "$FREEZE_RC"): $(brief "$CASE/freeze.err")"
		return
	fi
	wait_until "$GONE_TIMEOUT" dead "$tpid" || WHYS+=("$1 still running after freeze -k")
	kill_reap "$tpid"
	has_line "$CASE/t.out" RESULT && WHYS+=("$1 finished before the freeze: nothing was tested")
	resume -e "$expect" root result "$CASE/img" "$CASE/elsewhere" ""
	report "$name"
}

python_case() {
	local name=python
	selected "$name" || return 0
	find_python || { skip "$name" "no python3"; return; }
	new_case "$name" root
	cat >"$CASE/loop.py" <<-'PY'
		import sys
		print("READY", flush=True)
		s = 0
		for i in range(int(sys.argv[1])):
		    s = (s * 31 + i) % 1000000007
		print("RESULT", s, flush=True)
	PY
	midway_case "$name" "$PY" "$CASE/loop.py" "$PYTHON_LOOPS"
}

# Four threads (a pool, a queue, locks): the GIL hands over among them.
python_threads_case() {
	local name=python-threads
	selected "$name" || return 0
	find_python || { skip "$name" "no python3"; return; }
	new_case "$name" root
	cat >"$CASE/threads.py" <<-'PY'
		import sys, threading, queue
		print("READY", flush=True)
		results, lock = queue.Queue(), threading.Lock()
		shared = [0]
		def work(k, n):
		    s = 0
		    for i in range(n):
		        s = (s * 31 + i * k) % 1000000007
		        if i % 100000 == 0:
		            with lock:
		                shared[0] += 1
		    results.put((k, s))
		ts = [threading.Thread(target=work, args=(k, int(sys.argv[1]) // 4)) for k in range(1, 5)]
		for t in ts: t.start()
		for t in ts: t.join()
		print("RESULT", sorted(results.get() for _ in ts), shared[0], flush=True)
	PY
	midway_case "$name" "$PY" "$CASE/threads.py" "$PYTHON_LOOPS"
}

# A JVM: a few dozen threads, a JIT, a garbage collector, signal handlers.
java_case() {
	local name=java
	selected "$name" || return 0
	if ! command -v java >/dev/null || ! command -v javac >/dev/null; then
		skip "$name" "no java/javac on this machine"
		return
	fi
	new_case "$name" root
	cat >"$CASE/Count.java" <<-'JAVA'
		public class Count {
		    public static void main(String[] a) throws Exception {
		        System.out.println("READY");
		        long s = 0;
		        for (int i = 0; i < 30; i++) {
		            Thread.sleep(100);
		            StringBuilder b = new StringBuilder();
		            for (int j = 0; j < 20000; j++) b.append(j % 10);
		            s = (s * 31 + b.toString().hashCode() + i) % 1000000007L;
		        }
		        System.out.println("RESULT " + s);
		    }
		}
	JAVA
	if ! javac -d "$CASE" "$CASE/Count.java" >"$CASE/javac.out" 2>&1; then
		fail "$name" "javac: $(brief "$CASE/javac.out")"
		return
	fi
	# No perf-data file in /tmp: the JVM's shared mapping of it is not needed.
	midway_case "$name" java -XX:-UsePerfData -cp "$CASE" Count
}

interpreter_cases() {
	python_case
	python_threads_case
	java_case
}
