namespace Memcheck.Engine.Tests.MassifTool;

/// <summary>
/// The seed document's massif example reproduces in kind: its Python producer/consumer (bounded) profiled, and ms_print's
/// view of our file has the seed's shape: a graph in MB over instructions, and a peak tree down from the allocation
/// functions through PyMem_Malloc and the interpreter to "(below main)".
/// </summary>
[Category("Slow")]
public class MassifSeedTests
{
    [Test]
    public void PythonProducerConsumerRendersAsInTheSeed()
    {
        if (MsPrint.Path is null) Assert.Ignore("ms_print is not installed");
        var run = MassifGoldenRunner.Run(MassifGoldenCase.All().Single(c => c.Name == "massif-seed-pymemleak"));
        var rendering = MsPrint.Render(run.OutputPath);
        Assert.That(rendering.ExitCode, Is.EqualTo(0), rendering.ToString());
        var lines = rendering.Stdout.Split('\n');
        Assert.That(lines, Has.Some.Match(@"^    MB$"));
        Assert.That(lines, Has.Some.Match(@"^   0 \+-+>Mi$"));
        Assert.That(lines, Has.Some.Match(@"^\d+\.\d+% \([\d,]+B\) \(heap allocation functions\) malloc/new/new\[\], --alloc-fns, etc\.$"));
        Assert.That(lines, Has.Some.Match(@"^->\d+\.\d+% \([\d,]+B\) 0x[0-9A-F]+: PyMem_Malloc \(in /usr/bin/python3\.\d+\)$"));
        Assert.That(lines, Has.Some.Match(@"0x[0-9A-F]+: \(below main\) \(libc_start_call_main\.h:58\)$"));
    }
}
