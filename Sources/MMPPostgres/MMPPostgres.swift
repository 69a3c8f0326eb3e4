// MMPPostgres
