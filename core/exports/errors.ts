import { AppError, badRequest } from '../infra/errors.js'

/** An unknown format: 404, listing the formats that exist so the caller can correct the URL. */
export const unknownFormat = (format: string, available: string[]) =>
  new AppError(
    404,
    'CRISP_EXPORT_UNKNOWN_FORMAT',
    `No exporter for format "${format}"; available: ${available.join(', ')}`,
    { available },
  )

/** A filter or option the caller got wrong: 400 naming the parameter. */
export const badExportParameter = (parameter: string, message: string) =>
  badRequest('CRISP_EXPORT_BAD_PARAMETER', `${parameter}: ${message}`, { parameter })

export const exportJobNotFound = () => new AppError(404, 'CRISP_EXPORT_JOB_NOT_FOUND', 'Export job not found')
export const downloadLinkInvalid = () =>
  new AppError(403, 'CRISP_EXPORT_LINK_INVALID', 'This download link is invalid or has expired')
export const exportNotReady = () => new AppError(409, 'CRISP_EXPORT_NOT_READY', 'The export is not finished')
