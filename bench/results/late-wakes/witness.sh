# witness: sampler on a sleeping process for $1 s; prints lateness figures under label $2
sleep $(( $1 + 1 )) & p=$!; ./schedstat-sampler $p 1000 w.txt & s=$!; sleep $1; kill $p; wait $s; python3 late.py w.txt "$2"
