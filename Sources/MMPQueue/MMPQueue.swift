// MMPQueue
