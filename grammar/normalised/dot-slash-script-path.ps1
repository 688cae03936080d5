# A script called by a forward-slash relative path.
./Connect-Helper.ps1 -TenantId $tenantId
$result = ./Get-Report.ps1
