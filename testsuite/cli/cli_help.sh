#!/bin/sh
# --help for the command and every verb; unknown verbs and options are
# answered with a clear message and status 2; man pages render from the same
# source.
. "$SRC_DIR/lib.sh"

expect 0 "$TANGLE" --help
for v in cc run test report help; do contains "$WORK/out" "  $v "; done
expect 0 "$TANGLE" --version
contains "$WORK/out" "tangle "

for v in cc run test report help; do
  expect 0 "$TANGLE" "$v" --help
  contains "$WORK/out" "tangle $v:"
  contains "$WORK/out" "Usage:"
  contains "$WORK/out" "Exit status:"
  expect 0 "$TANGLE" help "$v"
  contains "$WORK/out" "tangle $v:"
  expect 0 "$TANGLE" help --man "$v"
  contains "$WORK/out" ".TH TANGLE"
  contains "$WORK/out" ".SH SYNOPSIS"
done

expect 2 "$TANGLE"
contains "$WORK/err" "Usage:"
expect 2 "$TANGLE" frobnicate
contains "$WORK/err" "unknown verb 'frobnicate'"
expect 2 "$TANGLE" --frobnicate
contains "$WORK/err" "unknown option '--frobnicate'"
expect 2 "$TANGLE" help frobnicate
contains "$WORK/err" "unknown verb 'frobnicate'"
expect 2 "$TANGLE" cc
contains "$WORK/err" "no input files"
for v in run test report; do
  expect 2 "$TANGLE" "$v" --frobnicate
  contains "$WORK/err" "unknown option '--frobnicate'"
done
echo PASS
