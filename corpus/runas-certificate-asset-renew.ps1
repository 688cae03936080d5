# expect: MI105 MI101 MI601 MI601 MI107 MI601 MI107 MI601
# why: Renewal of the Run As certificate in place: New-AzureRmAutomationCertificate -Name AzureRunAsCertificate with abbreviated and en-dash parameters, then Set-AzureRmAutomationConnectionFieldValue on the thumbprint; the Get-AutomationCertificate read of the old one stays MI105's.
param(
    [string] $ResourceGroupName = 'rg-automation',
    [string] $AutomationAccountName = 'aa-operations'
)

$ErrorActionPreference = 'Stop'
$assetName = "AzureRunAsCertificate"

$current = Get-AutomationCertificate -Name $assetName
if ($current.NotAfter -gt (Get-Date).AddDays(30)) {
    Write-Output "Run As certificate valid until $($current.NotAfter); nothing to do."
    return
}

$newCert = New-SelfSignedCertificate -Subject "CN=$AutomationAccountName-RunAs" -CertStoreLocation Cert:\LocalMachine\My `
    -KeyExportPolicy Exportable -Provider 'Microsoft Enhanced RSA and AES Cryptographic Provider' -NotAfter (Get-Date).AddYears(1)
$password = ConvertTo-SecureString -String (New-Guid).Guid -AsPlainText -Force
$pfx = Join-Path $env:TEMP 'runas-renewed.pfx'
Export-PfxCertificate -Cert $newCert -FilePath $pfx -Password $password | Out-Null

$appId = (Get-AutomationConnection -Name AzureRunAsConnection).ApplicationId
New-AzureRmADAppCredential -ApplicationId $appId -CertValue ([Convert]::ToBase64String($newCert.GetRawCertData())) -EndDate $newCert.NotAfter | Out-Null

Remove-AzureRmAutomationCertificate -ResourceGroupName $ResourceGroupName -AutomationAccountName $AutomationAccountName -Name $assetName
New-AzureRmAutomationCertificate –ResourceGroup $ResourceGroupName –AutomationAccount $AutomationAccountName –Name $assetName `
    -Path $pfx -Password $password -Exportable | Out-Null

Set-AzureRmAutomationConnectionFieldValue -ResourceGroupName $ResourceGroupName -AutomationAccountName $AutomationAccountName `
    -Name 'AzureRunAsConnection' -ConnectionFieldName 'CertificateThumbprint' -Value $newCert.Thumbprint

Write-Output "Run As certificate renewed: $($newCert.Thumbprint)"
