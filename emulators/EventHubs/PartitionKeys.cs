using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace Serverless.EventHubs;

/// <summary>
/// The partition Event Hubs gives a partition key, as the service and the official SDKs' buffered producers compute it
/// (docs/event-hubs.md, "Partition keys"): Bob Jenkins' lookup3 <c>hashlittle2</c> over the key's UTF-8 bytes with
/// both seeds 0, its two results XORed and cut to a signed 16-bit number, whose absolute value modulo the partition
/// count is the partition's index. A publisher that picks partitions itself with it sends each key where a keyed send
/// would have gone.
/// </summary>
public static class PartitionKeys
{
    public static int PartitionIndex(string partitionKey, int partitionCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partitionCount, 1);
        return Math.Abs(Hash(partitionKey) % partitionCount);
    }

    internal static short Hash(string partitionKey)
    {
        var (c, b) = HashLittle2(Encoding.UTF8.GetBytes(partitionKey));
        return (short)(c ^ b);
    }

    // lookup3's hashlittle2, reading the key as little-endian 32-bit words; returns (c, b), its two hashes.
    private static (uint C, uint B) HashLittle2(ReadOnlySpan<byte> key)
    {
        uint a, b, c;
        a = b = c = 0xdeadbeef + (uint)key.Length;

        while (key.Length > 12)
        {
            a += BinaryPrimitives.ReadUInt32LittleEndian(key);
            b += BinaryPrimitives.ReadUInt32LittleEndian(key[4..]);
            c += BinaryPrimitives.ReadUInt32LittleEndian(key[8..]);
            Mix(ref a, ref b, ref c);
            key = key[12..];
        }

        if (key.Length == 0)
        {
            return (c, b);
        }

        // The last 1 to 12 bytes, zero-padded into the three words.
        Span<byte> tail = stackalloc byte[12];
        tail.Clear();
        key.CopyTo(tail);
        a += BinaryPrimitives.ReadUInt32LittleEndian(tail);
        b += BinaryPrimitives.ReadUInt32LittleEndian(tail[4..]);
        c += BinaryPrimitives.ReadUInt32LittleEndian(tail[8..]);
        Final(ref a, ref b, ref c);
        return (c, b);
    }

    private static void Mix(ref uint a, ref uint b, ref uint c)
    {
        a -= c; a ^= BitOperations.RotateLeft(c, 4); c += b;
        b -= a; b ^= BitOperations.RotateLeft(a, 6); a += c;
        c -= b; c ^= BitOperations.RotateLeft(b, 8); b += a;
        a -= c; a ^= BitOperations.RotateLeft(c, 16); c += b;
        b -= a; b ^= BitOperations.RotateLeft(a, 19); a += c;
        c -= b; c ^= BitOperations.RotateLeft(b, 4); b += a;
    }

    private static void Final(ref uint a, ref uint b, ref uint c)
    {
        c ^= b; c -= BitOperations.RotateLeft(b, 14);
        a ^= c; a -= BitOperations.RotateLeft(c, 11);
        b ^= a; b -= BitOperations.RotateLeft(a, 25);
        c ^= b; c -= BitOperations.RotateLeft(b, 16);
        a ^= c; a -= BitOperations.RotateLeft(c, 4);
        b ^= a; b -= BitOperations.RotateLeft(a, 14);
        c ^= b; c -= BitOperations.RotateLeft(b, 24);
    }
}
