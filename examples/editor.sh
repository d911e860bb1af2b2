#!/usr/bin/env bash
# A text editor with unsaved changes, frozen in one terminal and resumed in
# another: vim redraws its screen for the new size, the change is still
# unsaved, and :wq writes it. Runs unattended with two tmux sessions as the
# two terminals (needs tmux and vim); on a terminal it lets you take over.
set -euo pipefail
cd "$(dirname "$0")/.."
make -s
dir=$(mktemp -d)
. examples/tmux_lib.sh
trap 'tm kill-server 2>/dev/null || true; rm -rf "$dir"' EXIT
printf 'Shopping\n- bread\n' >"$dir/notes.txt"

echo "== terminal 'desk': vim $dir/notes.txt, a line added, not saved"
terminal desk 90 20
type_in desk "vim -N -u NONE -i NONE '$dir/notes.txt'" Enter
wait_for desk "- bread"
type_in desk "Go- coffee (not saved yet)" Escape
wait_gone desk "-- INSERT --"
show desk

echo "== bin/freeze -k $dir/notes.bin (vim is killed; the terminal is usable again)"
bin/freeze -k "$dir/notes.bin" "$(program_of desk)"
type_in desk "clear; stty -a | grep -o -- '-*icanon'; cat '$dir/notes.txt'" Enter
wait_for desk "icanon"
show desk

echo "== terminal 'laptop', smaller: ./notes.bin"
terminal laptop 60 12
type_in laptop "$dir/notes.bin" Enter
wait_for laptop "- coffee"
show laptop
if [ -t 0 ] && [ -t 1 ]; then
	offer_attach laptop
else
	type_in laptop ":wq" Enter
	wait_for laptop "[laptop]"
	echo "== after :wq in the resumed vim, notes.txt holds:"
	cat "$dir/notes.txt"
fi
