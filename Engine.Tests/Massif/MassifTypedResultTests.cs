using Memcheck.Engine.Tests.Support;
using Memcheck.Engine.Tools.Massif;

namespace Memcheck.Engine.Tests.MassifTool;

/// <summary>A .NET caller gets massif's snapshots as records, the same ones massif.out is written from.</summary>
[Category("Slow")]
public class MassifTypedResultTests
{
    private static (RunResult Result, string Log, string OutputFile) Run(string fixture, MassifOptions massif)
    {
        string output = Path.Combine(Directory.CreateTempSubdirectory("massif-typed-").FullName, "massif.out");
        var log = new StringWriter();
        var options = new SessionOptions
        {
            Program = FixtureCompiler.Compile(fixture, "-g", "-O0"),
            Tool = ToolKind.Massif,
            Massif = massif with { MassifOutFile = output },
        };
        return (Session.Run(options, log), log.ToString(), output);
    }

    [Test]
    public void SnapshotsComeWithTheirSizesAndThePeakTree()
    {
        var (result, log, output) = Run("massif/deep_tree.c", new MassifOptions { TimeUnit = MassifTimeUnit.Bytes, Depth = 3 });
        var report = result.Massif ?? throw new AssertionException("no massif report");
        Assert.That(report.OutputFile, Is.EqualTo(output), log);
        Assert.That(File.ReadAllText(output), Does.StartWith("desc: (none)\ncmd: "));
        Assert.That(report.Snapshots.Select(s => s.Number), Is.EqualTo(Enumerable.Range(0, report.Snapshots.Count)));
        Assert.That(report.Snapshots[0].TotalBytes, Is.Zero);

        var peak = report.Peak ?? throw new AssertionException("no peak");
        Assert.That(peak.HeapBytes, Is.EqualTo(3 * 5000 + 3 * 3000));
        var root = (AllocationFunctionsEntry)peak.Tree!;
        Assert.That(root.Bytes, Is.EqualTo(peak.HeapBytes));
        var top = (CodeLocationEntry)root.Children[0];
        Assert.That(top.Frames[^1].Function, Is.EqualTo("descend"));
        Assert.That(Depth(top), Is.EqualTo(3), "--depth=3 locations below the root");
    }

    [Test]
    public void AnUnwritableOutputFileIsReportedAndTheRunGoesOn()
    {
        var log = new StringWriter();
        var options = new SessionOptions
        {
            Program = FixtureCompiler.Compile("massif/realloc_patterns.c", "-g", "-O0"),
            Tool = ToolKind.Massif,
            Massif = new MassifOptions { MassifOutFile = "/nonexistent/massif.out" },
        };
        var result = Session.Run(options, log);
        Assert.That(result.ExitCode, Is.Zero);
        Assert.That(result.Massif!.OutputFile, Is.Null);
        Assert.That(result.Massif.Snapshots, Is.Not.Empty);
        string[] lines = log.ToString().TrimEnd('\n').Split('\n');
        Assert.That(lines[^2], Does.Match(@"^==\d+== $"));
        Assert.That(lines[^1], Does.Match(@"^==\d+== Error: can not open xtree output file `/nonexistent/massif.out'$"));
    }

    private static int Depth(HeapTreeEntry entry) => entry.Children.OfType<CodeLocationEntry>().Select(c => 1 + Depth(c)).DefaultIfEmpty(1).Max();
}
