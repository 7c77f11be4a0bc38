using System.Runtime.InteropServices;

namespace Memcheck.Engine.DebugInfo;

/// <summary>C++ names demangled by the system's libstdc++, so they read exactly as c++filt prints them.</summary>
public static unsafe partial class Demangler
{
    [LibraryImport("libstdc++.so.6", EntryPoint = "__cxa_demangle", StringMarshalling = StringMarshalling.Utf8)]
    private static partial byte* CxaDemangle(string mangled, byte* buffer, nuint* length, int* status);

    /// <summary>The demangled name of an Itanium-ABI symbol (_Z...); any other name unchanged.</summary>
    public static string Demangle(string name)
    {
        if (!name.StartsWith("_Z", StringComparison.Ordinal)) return name;
        int status;
        byte* result = CxaDemangle(name, null, null, &status);
        if (result == null) return name;
        try { return status == 0 ? Marshal.PtrToStringUTF8((nint)result) ?? name : name; }
        finally { NativeMemory.Free(result); } // __cxa_demangle returns malloc'd memory; NativeMemory.Free is free(3) on Linux
    }
}
