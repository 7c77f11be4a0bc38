using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(Memcheck.Engine.Bench.TranslationBenchmarks).Assembly).Run(args);
