# expect: MI401 MI107 MI107
# why: A Run As account made by hand through the script's own helper functions (positional and named calls, param() blocks): the certificate and connection assets are reported at each call that passes Run As names, the self-signed certificate and service principal are named in the messages.
param(
    [Parameter(Mandatory = $true)]
    [string] $ResourceGroup,
    [Parameter(Mandatory = $true)]
    [string] $AutomationAccountName,
    [Parameter(Mandatory = $true)]
    [string] $SubscriptionId,
    [int] $MonthsValid = 12
)

function New-RunAsCertificateFile {
    param([string] $Subject, [string] $PfxPath, [securestring] $Password, [int] $Months)
    $cert = New-SelfSignedCertificate -DnsName $Subject -CertStoreLocation Cert:\CurrentUser\My `
        -KeyExportPolicy Exportable -KeySpec KeyExchange -NotAfter (Get-Date).AddMonths($Months) -HashAlgorithm SHA256
    Export-PfxCertificate -Cert "Cert:\CurrentUser\My\$($cert.Thumbprint)" -FilePath $PfxPath -Password $Password | Out-Null
    return $cert
}

function New-RunAsServicePrincipal ([System.Security.Cryptography.X509Certificates.X509Certificate2] $Certificate, [string] $DisplayName) {
    $keyValue = [System.Convert]::ToBase64String($Certificate.GetRawCertData())
    $app = New-AzADApplication -DisplayName $DisplayName -CertValue $keyValue -StartDate $Certificate.NotBefore -EndDate $Certificate.NotAfter
    $sp = New-AzADServicePrincipal -ApplicationId $app.AppId
    Start-Sleep -Seconds 20
    New-AzRoleAssignment -RoleDefinitionName 'Contributor' -ApplicationId $app.AppId -Scope "/subscriptions/$SubscriptionId" | Out-Null
    return $app.AppId
}

function Set-CertificateAsset ($rg, $account, $assetName, $pfxPath, $password) {
    Remove-AzAutomationCertificate -ResourceGroupName $rg -AutomationAccountName $account -Name $assetName -ErrorAction SilentlyContinue
    New-AzAutomationCertificate -ResourceGroupName $rg -AutomationAccountName $account -Name $assetName `
        -Path $pfxPath -Password $password -Exportable | Write-Verbose
}

function Set-ConnectionAsset {
    param($rg, $account, $connectionName, $connectionType, $fields)
    Remove-AzAutomationConnection -ResourceGroupName $rg -AutomationAccountName $account -Name $connectionName -Force -ErrorAction SilentlyContinue
    New-AzAutomationConnection -ResourceGroupName $rg -AutomationAccountName $account -Name $connectionName `
        -ConnectionTypeName $connectionType -ConnectionFieldValues $fields
}

Connect-AzAccount -Subscription $SubscriptionId | Out-Null

$certificateAssetName = 'AzureRunAsCertificate'
$connectionAssetName = 'AzureRunAsConnection'
$connectionTypeName = 'AzureServicePrincipal'
$pfxPath = Join-Path $env:TEMP "$AutomationAccountName-runas.pfx"
$pfxPassword = ConvertTo-SecureString -String ([guid]::NewGuid().ToString()) -AsPlainText -Force

$certificate = New-RunAsCertificateFile -Subject "$AutomationAccountName-RunAs" -PfxPath $pfxPath -Password $pfxPassword -Months $MonthsValid
$applicationId = New-RunAsServicePrincipal $certificate "$AutomationAccountName-RunAs"

Set-CertificateAsset $ResourceGroup $AutomationAccountName $certificateAssetName $pfxPath $pfxPassword

$tenantId = (Get-AzContext).Tenant.Id
$connectionFields = @{
    "ApplicationId"         = $applicationId
    "TenantId"              = $tenantId
    "CertificateThumbprint" = $certificate.Thumbprint
    "SubscriptionId"        = $SubscriptionId
}
Set-ConnectionAsset -rg $ResourceGroup -account $AutomationAccountName -connectionName $connectionAssetName `
    -connectionType $connectionTypeName -fields $connectionFields

# A plain connection for a web hook target goes through the same helper: not a Run As one.
Set-ConnectionAsset $ResourceGroup $AutomationAccountName 'OpsWebhook' 'GenericWebhook' @{ Url = 'https://ops.contoso.com/hook' }

Remove-Item -Path $pfxPath -Force
Write-Output "Run As account for $AutomationAccountName created (application $applicationId)."
