// A local file that may not be there yet (a first publish has none of them): its absence is an
// answer, any other failure to open or read it an error.

/** What `reading` a file gives, or undefined when the file does not exist. */
export async function unlessAbsent<T>(reading: Promise<T>): Promise<T | undefined> {
  try {
    return await reading;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
