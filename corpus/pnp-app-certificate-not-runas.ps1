# expect: MI502
# why: PnP sign-in with another app's certificate file (not the Run As one): a warning whose fix is unsafe, since the managed identity is a different principal.
param(
    [string]$SiteUrl = 'https://contoso.sharepoint.com/sites/projects',
    [string]$ClientId = '8f2d0a4e-1b3c-4d5e-9f60-7a8b9c0d1e2f'
)

$pfxPassword = Get-AutomationVariable -Name 'PnPCertificatePassword' | ConvertTo-SecureString -AsPlainText -Force
Connect-PnPOnline -Url $SiteUrl -ClientId $ClientId -Tenant 'contoso.onmicrosoft.com' -CertificatePath 'C:\Certs\pnp-app.pfx' -CertificatePassword $pfxPassword

Get-PnPListItem -List 'Projects' -PageSize 500 | ForEach-Object {
    Write-Output $_.FieldValues.Title
}
