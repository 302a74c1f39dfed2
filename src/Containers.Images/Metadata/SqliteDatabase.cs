using Microsoft.Data.Sqlite;

namespace Containers.Metadata;

/// <summary>How the stores of this package open the shared SQLite metadata database.</summary>
internal static class SqliteDatabase
{
    /// <summary>The connection string every store uses for <paramref name="databasePath"/>.</summary>
    public static string ConnectionString(string databasePath) => new SqliteConnectionStringBuilder
    {
        DataSource = databasePath,
        Mode = SqliteOpenMode.ReadWriteCreate,
        // No pool: an idle pooled connection would keep the database (and its filesystem) open.
        Pooling = false,
        // The busy timeout: concurrent writers wait for the write lock instead of failing.
        DefaultTimeout = 30,
    }.ToString();

    /// <summary>Opens a connection.</summary>
    public static SqliteConnection Open(string connectionString)
    {
        var connection = new SqliteConnection(connectionString);
        connection.Open();
        return connection;
    }
}
