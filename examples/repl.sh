#!/usr/bin/env bash
# Archive an interactive python3 session and resume it later in another
# terminal: the variables are still there, and the REPL answers from them.
# Runs unattended, with two tmux sessions as the two terminals (needs tmux
# and python3); on a terminal it lets you take over the resumed session.
set -euo pipefail
cd "$(dirname "$0")/.."
make -s
dir=$(mktemp -d)
. examples/tmux_lib.sh
trap 'tm kill-server 2>/dev/null || true; rm -rf "$dir"' EXIT

echo "== terminal 'monday': a python3 session with some state"
terminal monday 90 24
type_in monday "python3 -q" Enter
wait_for monday ">>>"
type_in monday "import math; notes = ['freeze', 'resume']" Enter
type_in monday "area = math.pi * 3 ** 2; print('area', round(area, 2))" Enter
wait_for monday "area 28.27"
show monday

echo "== bin/freeze -k $dir/session.bin (python3 is killed; the shell is back)"
bin/freeze -k "$dir/session.bin" "$(program_of monday)"
wait_for monday "Killed"
show monday

echo "== terminal 'friday', another size: ./session.bin"
terminal friday 70 20
type_in friday "$dir/session.bin" Enter
wait_program friday python3
type_in friday "print(notes, round(area, 2))" Enter
wait_for friday "['freeze', 'resume'] 28.27"
show friday
offer_attach friday
