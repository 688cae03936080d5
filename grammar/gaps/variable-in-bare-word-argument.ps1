# An unquoted argument that starts with a variable: `$dir\file.zip`, `$uri/path`.
Unblock-File $folder\Modules.zip
Invoke-WebRequest -Uri $baseUri/scripts/setup.ps1 -OutFile setup.ps1
