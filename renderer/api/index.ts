export { ApiError, type BraidApi, ErrorCode, toApiError } from './client';
export { createIpcApi } from './ipc';
export { exportDownloadUrl, pickTransport, startDownload, type TransportEnvironment } from './select';
export { connectWebSocketApi, type WebSocketApi, type WebSocketApiOptions } from './websocket';
