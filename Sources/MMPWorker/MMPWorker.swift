// MMPWorker
