// Streaming a body into an S3 object (multipart past one part) with bounded memory. Shared by the S3
// blobstore and off-site backups.
export const PART_SIZE = 5 * 1024 * 1024
export const QUEUE_SIZE = 2

/**
 * Bun's writer buffers whatever it is given, so each part is flushed before the next is read: memory
 * stays near PART_SIZE × QUEUE_SIZE whatever the object's size. On a timeout or error the multipart
 * upload is aborted without waiting on it (the endpoint may be the thing that hangs).
 */
export async function uploadStream(
  client: Bun.S3Client,
  key: string,
  body: AsyncIterable<Uint8Array>,
  timeout?: { ms: number; message: string },
): Promise<void> {
  const writer = client.file(key).writer({ partSize: PART_SIZE, queueSize: QUEUE_SIZE })
  let timer: ReturnType<typeof setTimeout> | undefined
  const timedOut = new Promise<never>((_, reject) => {
    if (timeout) timer = setTimeout(() => reject(new Error(timeout.message)), timeout.ms)
  })
  const upload = (async () => {
    let unflushed = 0
    for await (const chunk of body) {
      await writer.write(chunk)
      unflushed += chunk.byteLength
      if (unflushed >= PART_SIZE) {
        await writer.flush()
        unflushed = 0
      }
    }
    await writer.end()
  })()
  try {
    await Promise.race([upload, timedOut])
  } catch (err) {
    void Promise.resolve()
      .then(() => writer.end(err as Error))
      .catch(() => {})
    upload.catch(() => {})
    throw err
  } finally {
    clearTimeout(timer)
  }
}
