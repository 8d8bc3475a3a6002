"""`prorata sftp`: the drop zone's SFTP server on paramiko, each account jailed in its own folder."""
