#!/bin/sh
# An installed tangle (cmake --install --prefix TMP): bin/tangle finds its
# own include/ and lib/, pkg-config (tangle, tangle-race) and find_package
# (tangle::tangle, tangle::race with the TANGLE_RACE option) consumers build
# and run the channel program; the man pages are installed.
. "$SRC_DIR/lib.sh"
need_runtime
PREFIX="$WORK/prefix"
expect 0 cmake --install "$BUILD_DIR" --prefix "$PREFIX"
for f in bin/tangle include/tangle.h include/tangle/race.h lib/libtangle.a lib/libtangle_race.a \
         lib/pkgconfig/tangle.pc lib/pkgconfig/tangle-race.pc lib/cmake/tangle/tangleConfig.cmake \
         lib/cmake/tangle/tangleConfigVersion.cmake lib/cmake/tangle/tangleTargets.cmake \
         share/man/man1/tangle.1 share/man/man1/tangle-cc.1 share/man/man1/tangle-test.1; do
  [ -e "$PREFIX/$f" ] || fail "$f not installed"
done
P="$SRC_DIR/prog"
MODES=normal
if defines "$BUILD_DIR/libtangle_race.a" __tsan_init; then MODES="normal race"; fi

for mode in $MODES; do
  RACE=""; PC=tangle; [ "$mode" = race ] && { RACE=-race; PC=tangle-race; }
  # the installed driver uses the installed tree, not this build tree
  expect 0 env TANGLE_VERBOSE=1 "$PREFIX/bin/tangle" cc $RACE "$P/chan_main.c" "$P/chan_worker.c" -o "$WORK/inst"
  contains "$WORK/err" "$PREFIX/include"
  if grep -q "$BUILD_DIR/libtangle" "$WORK/err"; then fail "installed tangle used the build tree"; fi
  expect 0 "$WORK/inst"
  contains "$WORK/out" "sum=55 mode=$mode"

  # pkg-config: compile with --cflags, link with --libs (no -fsanitize at link)
  export PKG_CONFIG_PATH="$PREFIX/lib/pkgconfig"
  cflags=$(pkg-config --cflags $PC) libs=$(pkg-config --libs $PC)
  cc $cflags -c "$P/chan_main.c" -o "$WORK/m.o"
  cc $cflags -c "$P/chan_worker.c" -o "$WORK/w.o"
  cc "$WORK/m.o" "$WORK/w.o" $libs -o "$WORK/pc"
  expect 0 "$WORK/pc"
  contains "$WORK/out" "sum=55 mode=$mode"

  # find_package
  TR=OFF; [ "$mode" = race ] && TR=ON
  rm -rf "$WORK/cb"
  expect 0 cmake -S "$SRC_DIR/consumer" -B "$WORK/cb" -DCMAKE_PREFIX_PATH="$PREFIX" \
    -DPROG_DIR="$P" -DTANGLE_RACE=$TR
  expect 0 cmake --build "$WORK/cb"
  expect 0 "$WORK/cb/prog"
  contains "$WORK/out" "sum=55 mode=$mode"
done
echo "PASS ($MODES)"
