using System.Net;
using System.Net.Sockets;
using Memcheck.Engine;
using Memcheck.Engine.Options;
using Microsoft.Win32.SafeHandles;

namespace Memcheck.Frontend;

/// <summary>
/// Opens the writers the run's output goes to, as Valgrind does: the commentary from --log-file or --log-fd, and with
/// --xml=yes the XML from --xml-file, --xml-fd or --xml-socket.
/// </summary>
internal static class LogDestination
{
    private const int StandardError = 2;
    private const int DefaultXmlPort = 1500;

    /// <summary>Null means standard error, the engine's default.</summary>
    /// <exception cref="LogFileException">The log file cannot be created.</exception>
    public static TextWriter? Open(SessionOptions options)
    {
        if (options.LogFile is { } pattern) return CreateFile(OutputFileName.Expand(pattern, Environment.ProcessId), "log");
        return options.LogFd == StandardError ? null : OpenFd(options.LogFd, "--log-fd");
    }

    /// <summary>Null without --xml=yes; standard error (a writer of its own) when the destination cannot be used, as Valgrind falls back.</summary>
    /// <exception cref="LogFileException">The XML file cannot be created, or the socket is misspelt.</exception>
    public static TextWriter? OpenXml(SessionOptions options)
    {
        if (!options.Xml) return null;
        if (options.XmlFile is { } pattern) return CreateFile(OutputFileName.Expand(pattern, Environment.ProcessId), "XML");
        if (options.XmlSocket is { } socket) return Connect(socket);
        return OpenFd(options.XmlFd ?? StandardError, "--xml-fd") ?? OpenFd(StandardError, "--xml-fd");
    }

    private static TextWriter? OpenFd(int fd, string option)
    {
        try
        {
            var stream = new FileStream(new SafeFileHandle(fd, ownsHandle: false), FileAccess.Write, bufferSize: 0);
            return new StreamWriter(stream) { AutoFlush = true };
        }
        catch (Exception unusable) when (unusable is IOException or ArgumentException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"memcheck: {option}={fd} is not a writable file descriptor, using stderr");
            return null;
        }
    }

    private static StreamWriter CreateFile(string path, string what)
    {
        try
        {
            return new StreamWriter(new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
        }
        catch (Exception failed) when (failed is IOException or UnauthorizedAccessException)
        {
            string reason = failed switch
            {
                DirectoryNotFoundException or FileNotFoundException => "No such file or directory",
                UnauthorizedAccessException => "Permission denied",
                _ => failed.Message,
            };
            throw new LogFileException($"Cannot create {what} file '{path}': {reason}");
        }
    }

    /// <summary>
    /// --xml-socket=IPADDR[:PORT], an IPv4 address and a port from 1024 (1500 by default). A listener that cannot be
    /// reached gets Valgrind's two lines, and the XML goes to standard error.
    /// </summary>
    private static TextWriter? Connect(string spec)
    {
        string[] parts = spec.Split(':');
        int port = DefaultXmlPort;
        if (parts.Length > 2 || !IPAddress.TryParse(parts[0], out IPAddress? address) || address.AddressFamily != AddressFamily.InterNetwork
            || parts.Length == 2 && (!int.TryParse(parts[1], out port) || port is < 1024 or > 65535))
            throw new LogFileException($"Invalid --xml-socket spec of '{spec}'");
        var client = new TcpClient();
        try
        {
            client.Connect(address, port);
            return new StreamWriter(client.GetStream()) { AutoFlush = true };
        }
        catch (SocketException)
        {
            client.Dispose();
            Console.Error.WriteLine($"=={Environment.ProcessId}== Failed to connect to XML logging server '{spec}'.");
            Console.Error.WriteLine($"=={Environment.ProcessId}== XML output will be sent to stderr instead.");
            return OpenFd(StandardError, "--xml-fd");
        }
    }
}

internal sealed class LogFileException(string message) : Exception(message);
