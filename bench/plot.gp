# bench/plot.gp - ns per call against node size, per backend and workload.
#
#   gnuplot -e "dat='build/bench.dat'; out='docs/performance.png'" bench/plot.gp
#
# dat is what `make bench` writes (build/bench.dat): lines
#   WORKLOAD PAGES FAST_NS 2614_NS REF_NS LINUX_NS   (-1 = not measured)
# One panel per workload, log-log; the dashed grey line is one scalar word
# loop over the whole bitmap (the floor of any linear search).  linux is the
# Linux-style bitmap yardstick (bench/linux_bitmap.c).
if (!exists("dat")) dat = 'build/bench.dat'
if (!exists("out")) out = 'docs/performance.png'
set terminal pngcairo size 1500,1000 font ",10" noenhanced
set output out
set multiplot layout 3,3 title "bootfuzz bench: ns per call vs node size (log-log); fast, Linux-style bitmap, 2.6.14 port, reference"
set logscale xy
set format x "%.0s%c"
set xrange [700:25000000]
set grid
set key top left
set xlabel "node size (pages)"
set ylabel "ns per call"
wl = "boot fragmented frag-fail checkerboard huge-aligned limited limited-fail churn reserve/free"
do for [i=1:words(wl)] {
  w = word(wl, i)
  set title w
  plot dat using (strcol(1) eq w ? $2 : NaN):($3 > 0 ? $3 : NaN) with linespoints lw 2 pt 7 lc rgb "#1f77b4" title "fast", \
       dat using (strcol(1) eq w ? $2 : NaN):($6 > 0 ? $6 : NaN) with linespoints lw 2 pt 13 lc rgb "#ff7f0e" title "linux", \
       dat using (strcol(1) eq w ? $2 : NaN):($4 > 0 ? $4 : NaN) with linespoints lw 2 pt 5 lc rgb "#d62728" title "2614", \
       dat using (strcol(1) eq w ? $2 : NaN):($5 > 0 ? $5 : NaN) with linespoints lw 2 pt 9 lc rgb "#2ca02c" title "ref", \
       dat using (strcol(1) eq "scan" ? $2 : NaN):3 with lines dt 2 lw 1 lc rgb "#888888" title "one word-loop scan"
}
unset multiplot
