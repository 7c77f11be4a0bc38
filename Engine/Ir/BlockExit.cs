namespace Memcheck.Engine.Ir;

/// <summary>Where and why execution left a superblock.</summary>
public readonly record struct BlockExit(ulong NextAddress, JumpKind Kind);
