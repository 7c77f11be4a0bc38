# The perl workload of the real-program tests: a 20,000-key hash filled, then summed.
my %h;
for my $i (1 .. 20000) { $h{"k$i"} = $i * 2 }
my $s = 0;
$s += $h{$_} for keys %h;
print "$s\n";
