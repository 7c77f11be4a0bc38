using System.Net;
using System.Net.Sockets;
using Memcheck.Engine.Tests.Support;

namespace Memcheck.Engine.Tests.Frontend;

/// <summary>--xml-file, --xml-fd and --xml-socket send the XML where Valgrind sends it, with its messages.</summary>
public class XmlDestinationTests
{
    [Test]
    public void AnUncreatableXmlFileIsRefusedBeforeTheRun()
    {
        var result = EngineRunner.RunRaw("--xml=yes", "--xml-file=/nonexistent/dir/out.xml", "/bin/true");
        Assert.That(result.Stderr, Is.EqualTo("memcheck: Cannot create XML file '/nonexistent/dir/out.xml': No such file or directory\n"));
        Assert.That(result.ExitCode, Is.EqualTo(1));
    }

    [TestCase("foo:1600")]
    [TestCase("127.0.0.1:1023")]
    [TestCase("127.0.0.1:x")]
    public void AMisspeltSocketIsRefused(string spec)
    {
        var result = EngineRunner.RunRaw("--xml=yes", $"--xml-socket={spec}", "/bin/true");
        Assert.That(result.Stderr, Is.EqualTo($"memcheck: Invalid --xml-socket spec of '{spec}'\n"));
        Assert.That(result.ExitCode, Is.EqualTo(1));
    }

    [Test, Category("Slow")]
    public void TheSocketReceivesTheXml()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var received = Task.Run(() =>
        {
            using var client = listener.AcceptTcpClient();
            return new StreamReader(client.GetStream()).ReadToEnd();
        });
        string program = FixtureCompiler.Compile("memcheck/heap_overflow_read.c", "-g", "-O0");
        var result = EngineRunner.Run(["--xml=yes", $"--xml-socket=127.0.0.1:{port}"], program);

        Assert.That(result.Stderr, Is.Empty, result.ToString());
        Assert.That(received.Wait(TimeSpan.FromSeconds(30)), Is.True);
        Assert.That(received.Result, Does.Contain("<what>Invalid read of size 4</what>").And.EndWith("</valgrindoutput>\n\n"));
    }

    [Test, Category("Slow")]
    public void AnUnreachableSocketSendsTheXmlToStderr()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop(); // nothing listens there now
        string program = FixtureCompiler.Compile("memcheck/heap_overflow_read.c", "-g", "-O0");
        var result = EngineRunner.Run(["--xml=yes", $"--xml-socket=127.0.0.1:{port}"], program);

        string[] lines = result.Stderr.Split('\n');
        Assert.That(lines[0], Does.Match($@"^==\d+== Failed to connect to XML logging server '127.0.0.1:{port}'\.$"), result.ToString());
        Assert.That(lines[1], Does.EndWith("== XML output will be sent to stderr instead."));
        Assert.That(lines[2], Is.EqualTo("<?xml version=\"1.0\"?>"));
    }

    [Test, Category("Slow")]
    public void XmlFdOneSendsTheXmlToStdout()
    {
        string program = FixtureCompiler.Compile("memcheck/heap_overflow_read.c", "-g", "-O0");
        var result = EngineRunner.Run(["--xml=yes", "--xml-fd=1"], program);
        Assert.That(result.Stdout, Does.Contain("<kind>InvalidRead</kind>"), result.ToString());
        Assert.That(result.Stderr, Is.Empty);
    }
}
