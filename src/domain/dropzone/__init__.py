"""The SFTP drop zone: accounts of the tenants' legacy systems, login throttling, which files count."""
