using Memcheck.Engine.Options;

namespace Memcheck.Engine.Tests.Frontend;

public class CommandLineTests
{
    private static SessionOptions Parse(params string[] args) =>
        CommandLine.Parse(args) is CommandLineRequest.Run run ? run.Options : throw new AssertionException("not a run request");

    private static IReadOnlyList<string> Refusal(params string[] args) =>
        Assert.Throws<CommandLineException>(() => CommandLine.Parse(args))!.Lines;

    [Test]
    public void ProgramAloneGetsValgrindDefaults()
    {
        var options = Parse("./prog");
        Assert.That(options.Program, Is.EqualTo("./prog"));
        Assert.That(options.Arguments, Is.Empty);
        Assert.That(options.Tool, Is.EqualTo(ToolKind.Memcheck));
        Assert.That(options.Verbosity, Is.EqualTo(1));
        Assert.That(options.NumCallers, Is.EqualTo(12));
        Assert.That(options.Memcheck.LeakCheck, Is.EqualTo(LeakCheck.Summary));
        Assert.That(options.Memcheck.ShowLeakKinds, Is.EqualTo(LeakKinds.Definite | LeakKinds.Possible));
        Assert.That(options.Memcheck.FreelistVol, Is.EqualTo(20_000_000));
        Assert.That(options.SmcCheck, Is.EqualTo(SmcCheck.AllNonFile));
    }

    [Test]
    public void EverythingAfterTheProgramBelongsToIt()
    {
        var options = Parse("-q", "prog", "--leak-check=full", "-v", "x");
        Assert.That(options.Program, Is.EqualTo("prog"));
        Assert.That(options.Arguments, Is.EqualTo(new[] { "--leak-check=full", "-v", "x" }));
        Assert.That(options.Memcheck.LeakCheck, Is.EqualTo(LeakCheck.Summary));
        Assert.That(options.Verbosity, Is.EqualTo(0));
    }

    [Test]
    public void DoubleDashEndsTheOptionsSoAProgramMayStartWithADash()
    {
        var options = Parse("--num-callers=3", "--", "-prog", "a");
        Assert.That(options.Program, Is.EqualTo("-prog"));
        Assert.That(options.Arguments, Is.EqualTo(new[] { "a" }));
        Assert.That(options.NumCallers, Is.EqualTo(3));
    }

    [Test]
    public void VerboseIsCumulativeAndQuietSilences()
    {
        Assert.That(Parse("-v", "--verbose", "-v", "p").Verbosity, Is.EqualTo(4));
        Assert.That(Parse("--quiet", "p").Verbosity, Is.EqualTo(0));
    }

    [Test]
    public void SuppressionFilesAccumulateInOrder()
    {
        Assert.That(Parse("--suppressions=a.supp", "--suppressions=b.supp", "p").Suppressions,
            Is.EqualTo(new[] { "a.supp", "b.supp" }));
    }

    [Test]
    public void TheLastToolOptionWins()
    {
        Assert.That(Parse("--tool=none", "--tool=massif", "p").Tool, Is.EqualTo(ToolKind.Massif));
    }

    [Test]
    public void ToolOptionsAreCheckedAgainstATool_ChosenLater()
    {
        // Valgrind picks the tool before it reads the other options, whatever their order.
        Assert.That(Parse("--depth=5", "--tool=massif", "p").Massif.Depth, Is.EqualTo(5));
    }

    private static IEnumerable<TestCaseData> AcceptedOptions()
    {
        TestCaseData Case(string option, Func<SessionOptions, object?> read, object? expected) =>
            new TestCaseData(option, read, expected).SetName($"Accepts {option}");
        TestCaseData Massif(string option, Func<MassifOptions, object?> read, object? expected) =>
            new TestCaseData(option, (Func<SessionOptions, object?>)(o => read(o.Massif)), expected)
                .SetName($"Accepts massif {option}").SetProperty("tool", "massif");

        yield return Case("-s", o => o.ShowErrorList, true);
        yield return Case("--show-error-list=yes", o => o.ShowErrorList, true);
        yield return Case("--log-file=/tmp/log.%p", o => o.LogFile, "/tmp/log.%p");
        yield return Case("--log-fd=9", o => o.LogFd, 9);
        yield return Case("--xml-file=out.xml", o => o.XmlFile, "out.xml");
        yield return Case("--xml-fd=5", o => o.XmlFd, 5);
        yield return Case("--default-suppressions=no", o => o.DefaultSuppressions, false);
        yield return Case("--input-fd=5", o => o.InputFd, 5);
        yield return Case("--xml-user-comment=<a>b</a>", o => o.XmlUserComment, "<a>b</a>");
        yield return Case("--num-callers=500", o => o.NumCallers, 500);
        yield return Case("--num-callers=+7", o => o.NumCallers, 7);
        yield return Case("--error-limit=no", o => o.ErrorLimit, false);
        yield return Case("--error-exitcode=42", o => o.ErrorExitCode, 42);
        yield return Case("--error-exitcode=-1", o => o.ErrorExitCode, -1);
        yield return Case("--trace-children=yes", o => o.TraceChildren, true);
        yield return Case("--child-silent-after-fork=yes", o => o.ChildSilentAfterFork, true);
        yield return Case("--track-fds=all", o => o.TrackFds, TrackFds.All);
        yield return Case("--track-fds=yes", o => o.TrackFds, TrackFds.Yes);
        yield return Case("--time-stamp=yes", o => o.TimeStamp, true);
        yield return Case("--gen-suppressions=all", o => o.GenSuppressions, GenSuppressions.All);
        yield return Case("--demangle=no", o => o.Demangle, false);
        yield return Case("--show-below-main=yes", o => o.ShowBelowMain, true);
        yield return Case("--max-stackframe=-5", o => o.MaxStackFrame, -5L);
        yield return Case("--main-stacksize=16777216", o => o.MainStackSize, 16777216L);
        yield return Case("--smc-check=stack", o => o.SmcCheck, SmcCheck.Stack);
        yield return Case("--smc-check=none", o => o.SmcCheck, SmcCheck.None);
        yield return Case("--read-var-info=yes", o => o.ReadVarInfo, true);
        yield return Case("--read-inline-info=no", o => o.ReadInlineInfo, false);
        yield return Case("--redzone-size=128", o => o.RedzoneSize, 128);
        yield return Case("--alignment=64", o => o.Alignment, 64);
        yield return Case("--leak-check=full", o => o.Memcheck.LeakCheck, LeakCheck.Full);
        yield return Case("--leak-check=yes", o => o.Memcheck.LeakCheck, LeakCheck.Full);
        yield return Case("--leak-check=no", o => o.Memcheck.LeakCheck, LeakCheck.No);
        yield return Case("--leak-resolution=low", o => o.Memcheck.LeakResolution, LeakResolution.Low);
        yield return Case("--show-leak-kinds=all", o => o.Memcheck.ShowLeakKinds, LeakKinds.All);
        yield return Case("--show-leak-kinds=none", o => o.Memcheck.ShowLeakKinds, LeakKinds.None);
        yield return Case("--show-leak-kinds=indirect,reachable", o => o.Memcheck.ShowLeakKinds, LeakKinds.Indirect | LeakKinds.Reachable);
        yield return Case("--errors-for-leak-kinds=definite", o => o.Memcheck.ErrorsForLeakKinds, LeakKinds.Definite);
        yield return Case("--leak-check-heuristics=stdstring,newarray", o => o.Memcheck.LeakCheckHeuristics, LeakHeuristics.StdString | LeakHeuristics.NewArray);
        yield return Case("--leak-check-heuristics=none", o => o.Memcheck.LeakCheckHeuristics, LeakHeuristics.None);
        yield return Case("--show-reachable=yes", o => o.Memcheck.ShowLeakKinds, LeakKinds.All);
        yield return Case("--show-possibly-lost=no", o => o.Memcheck.ShowLeakKinds, LeakKinds.Definite);
        yield return Case("--undef-value-errors=no", o => o.Memcheck.UndefValueErrors, false);
        yield return Case("--track-origins=yes", o => o.Memcheck.TrackOrigins, true);
        yield return Case("--partial-loads-ok=no", o => o.Memcheck.PartialLoadsOk, false);
        yield return Case("--expensive-definedness-checks=yes", o => o.Memcheck.ExpensiveDefinednessChecks, ExpensiveDefinednessChecks.Yes);
        yield return Case("--keep-stacktraces=alloc-then-free", o => o.Memcheck.KeepStacktraces, KeepStacktraces.AllocThenFree);
        yield return Case("--keep-stacktraces=none", o => o.Memcheck.KeepStacktraces, KeepStacktraces.None);
        yield return Case("--freelist-vol=10000000000", o => o.Memcheck.FreelistVol, 10_000_000_000L);
        yield return Case("--freelist-big-blocks=0", o => o.Memcheck.FreelistBigBlocks, 0L);
        yield return Case("--malloc-fill=ab", o => o.Memcheck.MallocFill, (byte)0xab);
        yield return Case("--malloc-fill=0x10", o => o.Memcheck.MallocFill, (byte)0x10);
        yield return Case("--free-fill=10", o => o.Memcheck.FreeFill, (byte)0x10);
        yield return Case("--ignore-ranges=0x1000-0x2000,0x3000-0x4000", o => o.Memcheck.IgnoreRanges,
            new[] { new AddressRange(0x1000, 0x2000), new AddressRange(0x3000, 0x4000) });
        yield return Case("--show-mismatched-frees=no", o => o.Memcheck.ShowMismatchedFrees, false);

        yield return Massif("--heap=no", m => m.Heap, false);
        yield return Massif("--heap-admin=16", m => m.HeapAdmin, 16);
        yield return Massif("--stacks=yes", m => m.Stacks, true);
        yield return Massif("--pages-as-heap=yes", m => m.PagesAsHeap, true);
        yield return Massif("--depth=200", m => m.Depth, 200);
        yield return Massif("--alloc-fn=my_alloc", m => m.AllocFns, new[] { "my_alloc" });
        yield return Massif("--ignore-fn=skip_me", m => m.IgnoreFns, new[] { "skip_me" });
        yield return Massif("--threshold=.5", m => m.Threshold, 0.5);
        yield return Massif("--peak-inaccuracy=200", m => m.PeakInaccuracy, 200.0);
        yield return Massif("--time-unit=B", m => m.TimeUnit, MassifTimeUnit.Bytes);
        yield return Massif("--time-unit=ms", m => m.TimeUnit, MassifTimeUnit.Milliseconds);
        yield return Massif("--detailed-freq=1", m => m.DetailedFreq, 1);
        yield return Massif("--max-snapshots=10", m => m.MaxSnapshots, 10);
        yield return Massif("--massif-out-file=ms.%p", m => m.MassifOutFile, "ms.%p");
    }

    [TestCaseSource(nameof(AcceptedOptions))]
    public void OptionSetsItsField(string option, Func<SessionOptions, object?> read, object? expected)
    {
        string tool = TestContext.CurrentContext.Test.Properties.Get("tool") as string ?? "memcheck";
        Assert.That(read(Parse($"--tool={tool}", option, "prog")), Is.EqualTo(expected));
    }

    [Test]
    public void ShowReachableNoKeepsTheOtherKinds()
    {
        var kinds = Parse("--show-leak-kinds=all", "--show-reachable=no", "p").Memcheck.ShowLeakKinds;
        Assert.That(kinds, Is.EqualTo(LeakKinds.Definite | LeakKinds.Indirect | LeakKinds.Possible));
    }

    [TestCase("--foo")]
    [TestCase("-x")]
    [TestCase("--leak-check")]
    [TestCase("--num-callers")]
    [TestCase("--error-limit")]
    [TestCase("--verbose=1")]
    [TestCase("--leak-check=bogus")]
    [TestCase("--leak-resolution=x")]
    [TestCase("--gen-suppressions=x")]
    [TestCase("--smc-check=x")]
    [TestCase("--keep-stacktraces=x")]
    [TestCase("--expensive-definedness-checks=x")]
    [TestCase("--depth=5")]
    [TestCase("--heap=yes")]
    public void UnknownOptionsAndUnknownWordsAreRefusedAsValgrindDoes(string option)
    {
        Assert.That(Refusal(option, "true"), Is.EqualTo(new[]
        {
            $"Unknown option: {option}",
            "Use --help for more information or consult the user manual.",
        }));
    }

    [TestCase("--tool=none", "--leak-check=full")]
    [TestCase("--tool=none", "--alignment=32")]
    [TestCase("--tool=massif", "--track-origins=yes")]
    [TestCase("--tool=memcheck", "--time-unit=B")]
    public void AnotherToolsOptionIsUnknown(string tool, string option)
    {
        Assert.That(Refusal(tool, option, "true")[0], Is.EqualTo($"Unknown option: {option}"));
    }

    [TestCase("--tool=none", "--redzone-size=8")]
    [TestCase("--tool=massif", "--alignment=32")]
    [TestCase("--tool=none", "--suppressions=x.supp")]
    public void CoreOptionsWorkUnderEveryToolThatValgrindAllows(string tool, string option)
    {
        Assert.That(() => CommandLine.Parse([tool, option, "true"]), Throws.Nothing);
    }

    [TestCase("--num-callers=x", "Invalid integer value 'x'")]
    [TestCase("--num-callers=1x", "Invalid integer value '1x'")]
    [TestCase("--num-callers=0x10", "Invalid integer value '0x10'")]
    [TestCase("--num-callers=0", "'--num-callers' argument must be between 1 and 500")]
    [TestCase("--num-callers=", "'--num-callers' argument must be between 1 and 500")]
    [TestCase("--num-callers=501", "'--num-callers' argument must be between 1 and 500")]
    [TestCase("--num-callers=-1", "'--num-callers' argument must be between 1 and 500")]
    [TestCase("--log-fd=x", "Invalid integer value 'x'")]
    [TestCase("--error-exitcode=x", "Invalid integer value 'x'")]
    [TestCase("--max-stackframe=x", "Invalid integer value 'x'")]
    [TestCase("--main-stacksize=x", "Invalid integer value 'x'")]
    [TestCase("--error-limit=maybe", "Invalid boolean value 'maybe' (should be 'yes' or 'no')")]
    [TestCase("--xml=maybe", "Invalid boolean value 'maybe' (should be 'yes' or 'no')")]
    [TestCase("--show-error-list=all", "Invalid boolean value 'all' (should be 'yes' or 'no')")]
    [TestCase("--trace-children=x", "Invalid boolean value 'x' (should be 'yes' or 'no')")]
    [TestCase("--track-origins=x", "Invalid boolean value 'x' (should be 'yes' or 'no')")]
    [TestCase("--show-reachable=x", "Invalid boolean value 'x' (should be 'yes' or 'no')")]
    [TestCase("--track-fds=x", "Bad argument, should be 'yes', 'all' or 'no'")]
    [TestCase("--show-leak-kinds=foo", "foo is an invalid show-leak-kinds set")]
    [TestCase("--show-leak-kinds=definite,foo", "definite,foo is an invalid show-leak-kinds set")]
    [TestCase("--show-leak-kinds=all,none", "all,none is an invalid show-leak-kinds set")]
    [TestCase("--show-leak-kinds=", " is an invalid show-leak-kinds set")]
    [TestCase("--errors-for-leak-kinds=x", "x is an invalid errors-for-leak-kinds set")]
    [TestCase("--leak-check-heuristics=stdstring,all", "stdstring,all is an invalid leak-check-heuristics set")]
    [TestCase("--malloc-fill=zz", "Invalid integer value 'zz'")]
    [TestCase("--malloc-fill=0x100", "'--malloc-fill' argument must be between 0 and 255")]
    [TestCase("--free-fill=256", "'--free-fill' argument must be between 0 and 255")]
    [TestCase("--freelist-vol=-1", "'--freelist-vol' argument must be between 0 and 10000000000")]
    [TestCase("--freelist-big-blocks=x", "Invalid integer value 'x'")]
    [TestCase("--redzone-size=9999999", "'--redzone-size' argument must be between 0 and 4096")]
    [TestCase("--alignment=3", "Alignment must be a power of 2 in the range 16..4096.")]
    [TestCase("--alignment=8192", "Alignment must be a power of 2 in the range 16..4096.")]
    [TestCase("--alignment=x", "Invalid integer value 'x'")]
    [TestCase("--ignore-ranges=0x2000-0x1000", "--ignore-ranges: invalid syntax, or end <= start in range")]
    [TestCase("--ignore-ranges=1000-2000", "--ignore-ranges: invalid syntax, or end <= start in range")]
    [TestCase("--log-file=", "No filename given")]
    [TestCase("--xml-file=", "No filename given")]
    [TestCase("--log-file=/tmp/a%q", "Expected '{' after '%q'")]
    [TestCase("--log-file=/tmp/a%q{HOME", "Missing '}' in %q specifier")]
    [TestCase("--log-file=/tmp/a%z", "Expected 'p' or 'q' or '%' after '%'")]
    [TestCase("--log-file=/tmp/%q{MEMCHECK_SURELY_UNSET_VARIABLE}", "Environment variable 'MEMCHECK_SURELY_UNSET_VARIABLE' is not set")]
    public void BadValuesAreRefusedWithValgrindsMessage(string option, string detail)
    {
        Assert.That(Refusal(option, "true"), Is.EqualTo(new[]
        {
            $"Bad option: {option}",
            detail,
            "Use --help for more information or consult the user manual.",
        }));
    }

    [TestCase("--heap=x", "Invalid boolean value 'x' (should be 'yes' or 'no')")]
    [TestCase("--depth=0", "'--depth' argument must be between 1 and 200")]
    [TestCase("--depth=x", "Invalid integer value 'x'")]
    [TestCase("--heap-admin=5000", "'--heap-admin' argument must be between 0 and 1024")]
    [TestCase("--threshold=x", "Invalid floating point value 'x'")]
    [TestCase("--threshold=1e1", "Invalid floating point value '1e1'")]
    [TestCase("--threshold=101", "--threshold must be between 0.0 and 100.0")]
    [TestCase("--threshold=-1", "--threshold must be between 0.0 and 100.0")]
    [TestCase("--peak-inaccuracy=x", "Invalid floating point value 'x'")]
    [TestCase("--detailed-freq=0", "'--detailed-freq' argument must be between 1 and 1000000")]
    [TestCase("--max-snapshots=1", "'--max-snapshots' argument must be between 10 and 1000")]
    [TestCase("--pages-as-heap=x", "Invalid boolean value 'x' (should be 'yes' or 'no')")]
    public void BadMassifValuesAreRefusedWithValgrindsMessage(string option, string detail)
    {
        Assert.That(Refusal("--tool=massif", option, "true").Take(2), Is.EqualTo(new[] { $"Bad option: {option}", detail }));
    }

    [Test]
    public void MassifRecordsItsOwnOptionsAsGivenForItsOutputFile()
    {
        var options = Parse("--tool=massif", "-q", "--time-unit=B", "--num-callers=5", "--alignment=32", "--heap-admin=8",
            "--heap-admin=4", "--redzone-size=8", "p", "--depth=3");
        Assert.That(options.ToolArguments, Is.EqualTo(new[] { "--time-unit=B", "--alignment=32", "--heap-admin=8", "--heap-admin=4" }));
    }

    [Test]
    public void StacksCannotBeProfiledWithPagesAsHeap()
    {
        Assert.That(Refusal("--tool=massif", "--stacks=yes", "--pages-as-heap=yes", "true").Take(2),
            Is.EqualTo(new[] { "Bad option: --pages-as-heap=yes", "Cannot be used together with --stacks=yes" }));
    }

    [Test]
    public void TheMassifOutputFileNeedsItsVariables()
    {
        Assert.That(Refusal("--tool=massif", "--massif-out-file=x.%q{MEMCHECK_TEST_UNSET_VARIABLE}", "true").Take(2),
            Is.EqualTo(new[] { "Bad option: --massif-out-file=x.%q{MEMCHECK_TEST_UNSET_VARIABLE}",
                "Environment variable 'MEMCHECK_TEST_UNSET_VARIABLE' is not set" }));
    }

    [Test]
    public void AnUnknownToolCannotStart()
    {
        Assert.That(Refusal("--tool=foo", "true"),
            Is.EqualTo(new[] { "failed to start tool 'foo' for platform 'amd64-linux': No such file or directory" }));
    }

    [Test]
    public void NoProgramIsRefusedBeforeOptionsAreChecked()
    {
        Assert.That(Refusal("--foo"), Is.EqualTo(new[] { "no program specified", "Use --help for more information." }));
    }

    [Test]
    public void XmlNeedsADestination()
    {
        Assert.That(Refusal("--xml=yes", "true")[0], Is.EqualTo("Bad option: --xml=yes, but no XML destination specified"));
        Assert.That(() => CommandLine.Parse(["--xml=yes", "--xml-file=x.xml", "true"]), Throws.Nothing);
        Assert.That(Parse("--xml=yes", "--xml-socket=127.0.0.1:1600", "true").XmlSocket, Is.EqualTo("127.0.0.1:1600"));
    }

    [Test]
    public void XmlCannotAskForSuppressions()
    {
        Assert.That(Refusal("--xml=yes", "--xml-fd=2", "--gen-suppressions=yes", "true"), Is.EqualTo(new[]
        {
            "Bad option: --xml=yes together with --gen-suppressions=yes",
            "When --xml=yes is specified, --gen-suppressions=no",
            "or --gen-suppressions=all is allowed, but not --gen-suppressions=yes.",
            "Use --help for more information or consult the user manual.",
        }));
        Assert.That(Parse("--xml=yes", "--xml-fd=2", "--gen-suppressions=all", "true").GenSuppressions, Is.EqualTo(GenSuppressions.All));
    }

    [Test]
    public void TheOptionsAsTypedAreKeptForXml() =>
        Assert.That(Parse("-q", "--leak-check=full", "true", "-v").OptionArguments, Is.EqualTo(new[] { "-q", "--leak-check=full" }));

    [TestCase("none", "Nulgrind does not support XML output.")]
    [TestCase("massif", "Massif does not support XML output.")]
    public void OnlyMemcheckWritesXml(string tool, string detail)
    {
        Assert.That(Refusal($"--tool={tool}", "--xml=yes", "--xml-file=x.xml", "true").Take(2),
            Is.EqualTo(new[] { "Bad option: --xml=yes", detail }));
    }

    [Test]
    public void OriginsNeedUndefinedValueErrors()
    {
        Assert.That(Refusal("--track-origins=yes", "--undef-value-errors=no", "true").Take(2), Is.EqualTo(new[]
        {
            "Bad option: --undef-value-errors=no",
            "--track-origins=yes has no effect when --undef-value-errors=no.",
        }));
        Assert.That(Parse("--track-origins=no", "--undef-value-errors=no", "true").Memcheck.UndefValueErrors, Is.False);
    }

    [Test]
    public void ExitOnFirstErrorNeedsAnErrorExitCode()
    {
        Assert.That(Refusal("--exit-on-first-error=yes", "true").Take(2), Is.EqualTo(new[]
        {
            "Bad option: --exit-on-first-error=yes",
            "You must define a non nul exit error code, with --error-exitcode=...",
        }));
        Assert.That(Parse("--exit-on-first-error=yes", "--error-exitcode=9", "true").ExitOnFirstError, Is.True);
    }

    [TestCase("--help")]
    [TestCase("-h")]
    [TestCase("--help-debug")]
    public void HelpWinsOverEverythingElse(string help)
    {
        Assert.That(CommandLine.Parse(["--foo", "--tool=massif", help]),
            Is.EqualTo(new CommandLineRequest.Help(ToolKind.Massif, Debug: help == "--help-debug")));
    }

    [Test]
    public void TraceFlagsTakeEightBinaryDigits()
    {
        Assert.That(Parse("--trace-flags=10000001", "true").TraceFlags, Is.EqualTo(0x81));
        Assert.That(Parse("true").TraceNotBelow, Is.EqualTo(999_999_999), "Valgrind traces no block unless told where to start");
        Assert.Throws<CommandLineException>(() => Parse("--trace-flags=101", "true"));
        Assert.Throws<CommandLineException>(() => Parse("--trace-flags=1000000x", "true"));
    }

    [Test]
    public void VersionNeedsNoProgram()
    {
        Assert.That(CommandLine.Parse(["-q", "--version"]), Is.InstanceOf<CommandLineRequest.Version>());
    }
}
