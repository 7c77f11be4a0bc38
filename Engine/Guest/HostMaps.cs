using System.Globalization;

namespace Memcheck.Engine.Guest;

/// <summary>The host process's own mappings (/proc/self/maps), consulted when a placement collides with one.</summary>
internal static class HostMaps
{
    /// <summary>End of the lowest host mapping overlapping [start, start+length), or null if none does.</summary>
    public static ulong? EndOfOverlap(ulong start, ulong length)
    {
        ulong end = start + length;
        foreach (string line in File.ReadLines("/proc/self/maps"))
        {
            int dash = line.IndexOf('-'), space = line.IndexOf(' ');
            ulong s = ulong.Parse(line.AsSpan(0, dash), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            ulong e = ulong.Parse(line.AsSpan(dash + 1, space - dash - 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if (s < end && e > start) return e;
        }
        return null;
    }
}
