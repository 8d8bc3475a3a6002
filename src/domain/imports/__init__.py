"""Files received from management systems: import jobs, and how a workbook's sheets become settlements."""
